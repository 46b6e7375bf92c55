// Label and field selectors as the API server parses them from the
// labelSelector / fieldSelector query parameters. Parse errors become 400s.
import { errors } from './status.ts';

export type Predicate = (obj: Record<string, unknown>) => boolean;

type LabelTerm =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'absent'; key: string };

// Split on commas that are not inside parentheses ("a in (x,y),b").
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?|`;
const SET_RE = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^)]*)\)$`);
const EQ_RE = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const EXISTS_RE = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

function parseLabelTerm(t: string): LabelTerm {
  let m = SET_RE.exec(t);
  if (m !== null) {
    const values = (m[4] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { op: m[3] === 'in' ? 'in' : 'notin', key: m[1] ?? '', values };
  }
  m = EQ_RE.exec(t);
  if (m !== null) return { op: m[3] === '!=' ? 'ne' : 'eq', key: m[1] ?? '', value: m[4] ?? '' };
  m = EXISTS_RE.exec(t);
  if (m !== null) return { op: m[1] === '!' ? 'absent' : 'exists', key: m[2] ?? '' };
  throw errors.badRequest(`unable to parse requirement: ${JSON.stringify(t)}`);
}

function labelsOf(obj: Record<string, unknown>): Record<string, string> {
  const meta = obj['metadata'] as { labels?: Record<string, string> } | undefined;
  return meta?.labels ?? {};
}

function matchLabel(term: LabelTerm, labels: Record<string, string>): boolean {
  const v = Object.hasOwn(labels, term.key) ? labels[term.key] : undefined;
  switch (term.op) {
    case 'eq':
      return v === term.value;
    case 'ne':
      return v !== term.value; // a missing label matches != (as in Kubernetes)
    case 'in':
      return v !== undefined && term.values.includes(v);
    case 'notin':
      return v === undefined || !term.values.includes(v);
    case 'exists':
      return v !== undefined;
    case 'absent':
      return v === undefined;
  }
}

export function parseLabelSelector(s: string | null): Predicate {
  if (s === null || s.trim() === '') return () => true;
  const terms = splitTerms(s).map(parseLabelTerm);
  return (obj) => {
    const labels = labelsOf(obj);
    return terms.every((t) => matchLabel(t, labels));
  };
}

// Read a dotted path; non-string leaves compare by their string form, missing
// ones as '' (how the real server's field sets behave for e.g. spec.nodeName).
function fieldValue(obj: Record<string, unknown>, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

const FIELD_RE = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/;

export function parseFieldSelector(s: string | null, supported: readonly string[]): Predicate {
  if (s === null || s.trim() === '') return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...supported]);
  const terms = s.split(',').map((t) => {
    const m = FIELD_RE.exec(t.trim());
    if (m === null) throw errors.badRequest(`invalid field selector: ${JSON.stringify(t)}`);
    const field = m[1] ?? '';
    if (!allowed.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: (m[3] ?? '').trim() };
  });
  return (obj) => terms.every((t) => (fieldValue(obj, t.field) === t.value) !== t.negate);
}
