import * as z from 'zod/mini';
import type { $ZodIssue } from 'zod/v4/core';
import { en } from 'zod/locales';
import { CniCode, CniError } from './errors.ts';

// zod/mini, not classic zod: every plugin start pays for building the schemas, and mini's are
// several times cheaper. It ships no messages, so English is loaded for zod's own. A plugin
// parses each schema once per process: zod's JIT (new Function per object schema) costs more
// than it saves there.
z.config({ ...en(), jitless: true });

/**
 * Parses input with a schema; on failure throws one CniError whose message names every bad key
 * and its value, e.g. `ipam.pools[0].spec.ips[1]: "10.0.0.300" is not an IPv4 or IPv6 address`.
 * Unknown keys are "unsupported fields" (code 2); everything else is invalid config (code 7)
 * unless the caller says otherwise.
 */
export function parseOrThrow<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  options: { root?: string; code?: number } = {},
): z.output<S> {
  const depth = nestedDeeperThan(input, maxDepth);
  if (depth) throw new CniError(CniCode.DecodeFailure, `${options.root ?? '(root)'}: failed to decode content: nested deeper than ${maxDepth} levels`);
  let parsed;
  try {
    parsed = schema.safeParse(input);
  } catch (error) {
    // A value nested deeper than the stack (a hostile or broken input), not a bug of ours.
    if (error instanceof RangeError) throw new CniError(CniCode.DecodeFailure, `${options.root ?? 'input'}: failed to decode content: nested too deeply`);
    throw error;
  }
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const unsupported = issues.every((issue) => issue.code === 'unrecognized_keys');
  const code = unsupported ? CniCode.UnsupportedField : (options.code ?? CniCode.InvalidConfig);
  const msg = issues.map((issue) => describeIssue(issue, input, options.root)).join('; ');
  throw new CniError(code, msg);
}

function describeIssue(issue: $ZodIssue, root: unknown, rootName: string | undefined): string {
  const where = formatPath(rootName, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => showValue(key)).join(', ');
    return `${where}: unsupported key ${keys}`;
  }
  // The value at the issue's path, not issue.input: a refinement of an object reports the
  // whole object even when it points at one of its keys.
  const value = valueAt(root, issue.path);
  const shown = value === undefined ? 'missing' : showValue(value);
  if (value === undefined) return `${where}: ${shown}, ${lowerFirst(issue.message)}`;
  // Our own messages read as a predicate of the value ("is not an IPv4 address").
  if (/^(is|must|has|does|overlaps|lies)\b/.test(issue.message)) return `${where}: ${shown} ${issue.message}`;
  return `${where}: ${lowerFirst(issue.message)}, got ${shown}`;
}

/** Deeper than any configuration or object of ours (about 10), far below the stack's limit. */
export const maxDepth = 100;

/** Walks the value without recursion: true as soon as it goes deeper than `limit`. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(next)) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return false;
}

/** How much of a value a message echoes: a bad value may be megabytes long. */
export const shownValueChars = 100;

/**
 * A value as messages echo it: JSON, cut to `shownValueChars` with an ellipsis and the original
 * length, and never a stack overflow on a value nested too deeply to print.
 */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return '(a value nested too deeply to show)';
  }
  return text.length > shownValueChars ? `${text.slice(0, shownValueChars)}… (${text.length} chars)` : text;
}

export function formatPath(root: string | undefined, path: ReadonlyArray<PropertyKey>): string {
  let text = root ?? '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
