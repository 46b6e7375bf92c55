import { compareNames } from './compare-names.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatIpRange, RangeSet } from '../../netconf/ip/index.ts';
import type { IPPool } from '../../netconf/ippool.ts';
import { compilePool, type CompiledPool, type PoolConflict } from './compiled-pool.ts';

export type { PoolConflict } from './compiled-pool.ts';

/**
 * Compiles a set of pools and checks what no single pool can: unique names and no address
 * allocatable from two pools (which would hand one IP out twice). For a set one author wrote
 * (the local store's netconf and pool file), where an overlap is refused outright.
 */
export function compilePoolSet(pools: readonly IPPool[]): Map<string, CompiledPool> {
  const byName = compileEach(pools);
  const first = overlappingPairs(byName)[0];
  if (first !== undefined) {
    throw new CniError(CniCode.InvalidConfig, `pools: ${JSON.stringify(first.a)} and ${JSON.stringify(first.b)} overlap at ${first.at}`);
  }
  return byName;
}

export type ConflictingPool = CompiledPool & { conflict: PoolConflict };

export interface PoolSplit {
  /** Every pool, in input order; a conflicting one carries `conflict` (poolRejection refuses it). */
  all: Map<string, CompiledPool>;
  usable: Map<string, CompiledPool>;
  conflicting: Map<string, ConflictingPool>;
}

/**
 * The one rule for pools that overlap in a cluster (design §8.10): pools are admitted one at a
 * time, so two created together can both be stored. Then *both* members of every overlapping
 * pair are set aside — no new address from either, whichever was first — and every other pool
 * keeps serving. The decision depends on the set alone (not on order, clocks or who saw what
 * first), so every agent and the controller take the same one; and neither pool wins because
 * either may already hold addresses inside the overlap. Set-aside pools stay compiled, so
 * their addresses can still be released.
 */
export function splitPoolSet(pools: readonly IPPool[]): PoolSplit {
  const all = compileEach(pools);
  const others = new Map<string, { name: string; at: string }[]>();
  for (const { a, b, at } of overlappingPairs(all)) {
    others.set(a, [...(others.get(a) ?? []), { name: b, at }]);
    others.set(b, [...(others.get(b) ?? []), { name: a, at }]);
  }
  const usable = new Map<string, CompiledPool>();
  const conflicting = new Map<string, ConflictingPool>();
  for (const [name, pool] of all) {
    const pairs = others.get(name)?.sort(compareNames);
    if (pairs === undefined) {
      usable.set(name, pool);
      continue;
    }
    const conflict = { with: pairs.map((other) => other.name), message: `overlaps ${pairs.map((other) => `pool ${JSON.stringify(other.name)} at ${other.at}`).join('; ')}` };
    const marked = { ...pool, conflict };
    all.set(name, marked);
    conflicting.set(name, marked);
  }
  return { all, usable, conflicting };
}

function compileEach(pools: readonly IPPool[]): Map<string, CompiledPool> {
  const byName = new Map<string, CompiledPool>();
  for (const pool of pools) {
    const name = pool.metadata.name;
    if (byName.has(name)) {
      throw new CniError(CniCode.InvalidConfig, `pools: pool name ${JSON.stringify(name)} is defined twice`);
    }
    byName.set(name, compilePool(pool));
  }
  withoutGateways(byName);
  return byName;
}

/** Every pair of pools sharing an allocatable address, by name (a < b), with their first shared range. */
function overlappingPairs(byName: ReadonlyMap<string, CompiledPool>): { a: string; b: string; at: string }[] {
  const compiled = [...byName.values()].sort(compareNames);
  const pairs: { a: string; b: string; at: string }[] = [];
  for (let i = 0; i < compiled.length; i++) {
    for (let j = i + 1; j < compiled.length; j++) {
      const a = compiled[i]!;
      const b = compiled[j]!;
      if (a.family !== b.family) continue;
      const shared = a.allocatable.intersect(b.allocatable).intervals()[0];
      if (shared !== undefined) pairs.push({ a: a.name, b: b.name, at: formatIpRange(a.family, shared[0], shared[1]) });
    }
  }
  return pairs;
}

/** A gateway is never allocated, whichever pool of its subnet names it (pools may share one). */
function withoutGateways(pools: Map<string, CompiledPool>): void {
  for (const [name, pool] of pools) {
    const gateways = [...pools.values()].flatMap((other) => (other.gateway?.family === pool.family ? [other.gateway] : []));
    if (gateways.length === 0) continue;
    const excluded = RangeSet.of(pool.family, gateways.map((gateway) => [gateway.value, gateway.value] as const));
    pools.set(name, { ...pool, allocatable: pool.allocatable.subtract(excluded) });
  }
}
