import { compareNames } from './compare-names.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatIpRange, RangeSet } from '../../netconf/ip/index.ts';
import type { IPPool } from '../../netconf/ippool.ts';
import { compilePool, type CompiledPool } from './compiled-pool.ts';

/**
 * Compiles a set of pools and checks what no single pool can: unique names and no address
 * allocatable from two pools (which would hand one IP out twice).
 */
export function compilePoolSet(pools: readonly IPPool[]): Map<string, CompiledPool> {
  const byName = new Map<string, CompiledPool>();
  for (const pool of pools) {
    const name = pool.metadata.name;
    if (byName.has(name)) {
      throw new CniError(CniCode.InvalidConfig, `pools: pool name ${JSON.stringify(name)} is defined twice`);
    }
    byName.set(name, compilePool(pool));
  }
  withoutGateways(byName);
  const compiled = [...byName.values()].sort(compareNames);
  for (let i = 0; i < compiled.length; i++) {
    for (let j = i + 1; j < compiled.length; j++) {
      assertDisjoint(compiled[i]!, compiled[j]!);
    }
  }
  return byName;
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

function assertDisjoint(a: CompiledPool, b: CompiledPool): void {
  if (a.family !== b.family) return;
  const shared = a.allocatable.intersect(b.allocatable).intervals()[0];
  if (shared === undefined) return;
  throw new CniError(
    CniCode.InvalidConfig,
    `pools: ${JSON.stringify(a.name)} and ${JSON.stringify(b.name)} overlap at ${formatIpRange(a.family, shared[0], shared[1])}`,
  );
}
