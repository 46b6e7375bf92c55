import { CniCode, CniError } from '../../netconf/errors.ts';
import type { CniResult } from '../../netconf/result.ts';
import type { Allocation } from '../../netconf/store-state.ts';
import type { CompiledPool } from '../pools/compiled-pool.ts';

/** The IPAM result (1.1.0 shape): each address with its pool's prefix and gateway, pool routes, DNS. */
export function buildIpamResult(allocations: readonly Allocation[], pools: ReadonlyMap<string, CompiledPool>): CniResult {
  const used = allocations.map((allocation) => {
    const pool = pools.get(allocation.pool);
    if (pool === undefined) {
      throw new CniError(CniCode.InvalidConfig, `pool ${JSON.stringify(allocation.pool)} of ${allocation.ip} no longer exists; release the attachment first`);
    }
    return { allocation, pool };
  });
  const dns = used.find(({ pool }) => pool.spec.dns)?.pool.spec.dns;
  return {
    cniVersion: '1.1.0',
    ips: used.map(({ allocation, pool }) => ({
      address: `${allocation.ip}/${pool.subnet.prefix}`,
      ...(pool.spec.gateway !== undefined && { gateway: pool.spec.gateway }),
    })),
    routes: used.flatMap(({ pool }) => pool.spec.routes ?? []),
    ...(dns && { dns }),
  };
}
