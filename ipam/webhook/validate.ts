import { isDeepStrictEqual } from 'node:util';
import type * as z from 'zod/mini';
import type { AdmissionRequest } from '../../netconf/admission.ts';
import { GROUP } from '../../netconf/crd-schema.ts';
import { CniError } from '../../netconf/errors.ts';
import { cidrContains, parseCidr, type Cidr } from '../../netconf/ip/index.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { Subnet } from '../../netconf/subnet.ts';
import { compilePoolSet } from '../pools/pool-set.ts';

/** What the webhook knows of the cluster when it judges one request. */
export interface AdmissionContext {
  /** Every other existing pool, parsed (a pool of the reviewed name is ignored anyway). */
  pools: IPPool[];
  /** IPs allocated in a pool, from its IPBlocks. */
  allocated(pool: string): number;
  /** The pools carved from that Subnet, labelled nicpool.io/subnet=<name>. */
  autoPoolsOf(subnet: string): IPPool[];
}

export type AdmissionVerdict = { allowed: true } | { allowed: false; message: string };

/**
 * Judges one admission request for IPPools and Subnets; anything else is allowed. Messages read
 * like our CNI errors: the field, its value, what is wrong.
 */
export function reviewAdmission(request: AdmissionRequest, context: AdmissionContext): AdmissionVerdict {
  if (request.kind.group !== GROUP) return allow();
  // Peers' webhooks refuse the finalizer removal of an object they now find invalid, and the
  // object never goes away: housekeeping is never ours to judge.
  if (request.operation === 'UPDATE' && (beingDeleted(request) || changesOnlyMetadata(request))) return allow();
  if (request.kind.kind === 'IPPool') return reviewPool(request, context);
  if (request.kind.kind === 'Subnet') return reviewSubnet(request, context);
  return allow();
}

function reviewPool(request: AdmissionRequest, context: AdmissionContext): AdmissionVerdict {
  if (request.operation === 'DELETE') {
    const name = nameOf(request);
    const count = context.allocated(name);
    if (count === 0) return allow();
    return refuse(`cannot delete pool ${JSON.stringify(name)} while ${count} of its IPs ${isAre(count)} allocated`);
  }
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow();
  const parsed = parse(IPPool, request.object);
  if ('error' in parsed) return refuse(parsed.error);
  const pool = parsed.value;
  const locked = request.operation === 'UPDATE' ? lockedChanges(pool, request.oldObject, context) : [];
  if (locked.length > 0) return refuse(locked.join('; '));
  const overlap = overlapWith(pool, context.pools);
  return overlap === undefined ? allow() : refuse(overlap);
}

/** An allocated address stays inside its pool's subnet and family: those two are frozen while any is. */
function lockedChanges(pool: IPPool, oldObject: unknown, context: AdmissionContext): string[] {
  const name = pool.metadata.name;
  const oldSubnet = field(oldObject, 'spec', 'subnet');
  const oldVersion = field(oldObject, 'spec', 'ipVersion');
  const changed: Array<[string, unknown, unknown]> = [];
  if (!sameCidr(oldSubnet, pool.spec.subnet)) changed.push(['spec.subnet', oldSubnet, pool.spec.subnet]);
  if (oldVersion !== pool.spec.ipVersion) changed.push(['spec.ipVersion', oldVersion, pool.spec.ipVersion]);
  if (changed.length === 0) return [];
  const count = context.allocated(name);
  if (count === 0) return [];
  const held = `while ${count === 1 ? '1 IP' : `${count} IPs`} of pool ${JSON.stringify(name)} ${isAre(count)} allocated`;
  return changed.map(([path, from, to]) => `${path}: cannot change ${JSON.stringify(from)} to ${JSON.stringify(to)} ${held}`);
}

/** compilePoolSet's check, blamed on the reviewed pool only. */
function overlapWith(pool: IPPool, existing: IPPool[]): string | undefined {
  const others = existing.filter((other) => other.metadata.name !== pool.metadata.name);
  const conflict = poolSetError([...others, pool]);
  if (conflict === undefined || conflict.includes(JSON.stringify(pool.metadata.name))) return conflict;
  // Two other pools already overlap (stored before this webhook ran): that must not block an
  // unrelated pool, so judge this one against each other pool alone.
  for (const other of others) {
    const pairwise = poolSetError([other, pool]);
    if (pairwise !== undefined) return pairwise;
  }
  return undefined;
}

function poolSetError(pools: IPPool[]): string | undefined {
  try {
    compilePoolSet(pools);
    return undefined;
  } catch (error) {
    if (error instanceof CniError) return error.message;
    throw error;
  }
}

function reviewSubnet(request: AdmissionRequest, context: AdmissionContext): AdmissionVerdict {
  if (request.operation === 'DELETE') {
    const name = nameOf(request);
    const orphans = context.autoPoolsOf(name).map((pool) => pool.metadata.name);
    if (orphans.length === 0) return allow();
    return refuse(`cannot delete Subnet ${JSON.stringify(name)}: it would orphan ${autoPools(orphans.length)} ${orphans.join(', ')}`);
  }
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow();
  const parsed = parse(Subnet, request.object);
  if ('error' in parsed) return refuse(parsed.error);
  if (request.operation === 'CREATE') return allow();
  const subnet = parsed.value;
  const oldSubnet = field(request.oldObject, 'spec', 'subnet');
  const newSubnet = subnet.spec.subnet;
  if (sameCidr(oldSubnet, newSubnet)) return allow();
  const outer = parseCidr(newSubnet);
  const outside = context.autoPoolsOf(subnet.metadata.name).filter((pool) => !cidrInside(parseCidr(pool.spec.subnet), outer));
  if (outside.length === 0) return allow();
  const listed = outside.map((pool) => `${pool.metadata.name} (${pool.spec.subnet})`).join(', ');
  return refuse(
    `spec.subnet: cannot change ${JSON.stringify(oldSubnet)} to ${JSON.stringify(newSubnet)}: ` +
      `${autoPools(outside.length)} ${listed} would no longer lie inside it`,
  );
}

/** Parses with a schema; the CNI-style message on failure (`spec.ips[0]: "…" lies outside …`). */
function parse<S extends z.ZodMiniType>(schema: S, input: unknown): { value: z.output<S> } | { error: string } {
  try {
    return { value: parseOrThrow(schema, input) };
  } catch (error) {
    if (error instanceof CniError) return { error: error.message };
    throw error;
  }
}

function beingDeleted(request: AdmissionRequest): boolean {
  const stamp = (object: unknown) => field(object, 'metadata', 'deletionTimestamp');
  return Boolean(stamp(request.object) ?? stamp(request.oldObject));
}

/** Status is its own subresource (the CRDs say so), so the rest is the spec and the type fields. */
function changesOnlyMetadata(request: AdmissionRequest): boolean {
  return isDeepStrictEqual(withoutMetadata(request.object), withoutMetadata(request.oldObject));
}

function withoutMetadata(object: unknown): unknown {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return object;
  const { metadata: _metadata, ...rest } = object as Record<string, unknown>;
  return rest;
}

/** On DELETE the object is the stored one; the API server also names it in the request. */
function nameOf(request: AdmissionRequest): string {
  if (request.name !== '') return request.name;
  const name = field(request.oldObject, 'metadata', 'name');
  return typeof name === 'string' ? name : '';
}

/** A value inside parsed JSON, or undefined where the path leads nowhere. */
function field(value: unknown, ...path: string[]): unknown {
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The same block however written ("fd00::/64", "fd00:0::/64"); text that is no CIDR compares as text. */
function sameCidr(a: unknown, b: string): boolean {
  const left = typeof a === 'string' ? parseCidr(a) : undefined;
  const right = parseCidr(b);
  if (left === undefined || right === undefined) return a === b;
  return left.family === right.family && left.base === right.base && left.prefix === right.prefix;
}

function cidrInside(inner: Cidr | undefined, outer: Cidr | undefined): boolean {
  if (inner === undefined || outer === undefined) return false;
  return inner.prefix >= outer.prefix && cidrContains(outer, { family: inner.family, value: inner.base });
}

function isAre(count: number): string {
  return count === 1 ? 'is' : 'are';
}

function autoPools(count: number): string {
  return count === 1 ? 'auto-pool' : 'auto-pools';
}

function allow(): AdmissionVerdict {
  return { allowed: true };
}

function refuse(message: string): AdmissionVerdict {
  return { allowed: false, message };
}
