// Design §4's invariants, checked after every scenario: no IP held twice, nothing allocated
// outside its pool's ips − excludeIPs − gateway, every allocation's pool exists.
import { parseIp } from '../../netconf/ip/index.ts';
import { IPPool } from '../../netconf/ippool.ts';
import type { StoreState } from '../../netconf/store-state.ts';
import { compilePoolSet } from '../../ipam/pools/pool-set.ts';

export function invariantViolations(state: StoreState, pools: ReadonlyArray<{ name: string; spec: Record<string, unknown> }>): string[] {
  const compiled = compilePoolSet(pools.map((pool) => IPPool.parse({ metadata: { name: pool.name }, spec: pool.spec })));
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const allocation of state.allocations) {
    const who = `${allocation.containerID}/${allocation.ifname}`;
    const previous = seen.get(allocation.ip);
    if (previous !== undefined) problems.push(`${allocation.ip} held twice: ${previous} and ${who}`);
    seen.set(allocation.ip, who);
    const pool = compiled.get(allocation.pool);
    const ip = parseIp(allocation.ip);
    if (pool === undefined) problems.push(`${allocation.ip} (${who}) is in unknown pool ${allocation.pool}`);
    else if (ip === undefined || ip.family !== pool.family || !pool.allocatable.has(ip.value)) {
      problems.push(`${allocation.ip} (${who}) is not allocatable from pool ${allocation.pool}`);
    }
  }
  return problems;
}
