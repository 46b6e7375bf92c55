import { CniCode, CniError } from '../../netconf/errors.ts';
import { parseIp, RangeSet } from '../../netconf/ip/index.ts';
import { loadPools } from '../pools/load-pools.ts';
import { poolRejection } from '../select/pool-filters.ts';
import { openLocalStore } from '../store/local/local-store.ts';
import { ipamConfigOf, nodeNameOf, type IpamInvocation } from './invocation.ts';

/**
 * STATUS: ready while some pool this network may use on this node has a free address.
 * Per-pod filters (namespace, pod labels, requested IPs) are not known here and are ignored.
 */
export async function ipamStatus(inv: IpamInvocation): Promise<void> {
  const config = ipamConfigOf(inv);
  const pools = await loadPools(config);
  const named = new Set([...(config.defaultIPv4Pools ?? []), ...(config.defaultIPv6Pools ?? [])]);
  const ctx = { network: inv.conf.name, nodeName: nodeNameOf(config), podNamespace: undefined };
  const usable = [...pools.values()].filter(
    (pool) => (named.has(pool.name) || pool.spec.default) && poolRejection({ ...pool, spec: { ...pool.spec, namespaceAffinity: undefined, podAffinity: undefined } }, ctx) === undefined,
  );
  if (usable.length === 0) throw new CniError(CniCode.PluginNotAvailable, `no usable pool for network ${JSON.stringify(inv.conf.name)} on this node`);
  const state = await openLocalStore(config.dataDir, config.lockTimeoutMs).read();
  const held = [...state.allocations, ...state.fixedBindings].map(({ ip }) => parseIp(ip)).filter((ip) => ip !== undefined);
  const hasFree = usable.some((pool) => !pool.allocatable.subtract(RangeSet.fromValues(pool.family, held.filter((ip) => ip.family === pool.family).map((ip) => ip.value))).isEmpty());
  if (!hasFree) throw new CniError(CniCode.PluginNotAvailable, `every pool of network ${JSON.stringify(inv.conf.name)} is exhausted: ${usable.map((pool) => pool.name).join(', ')}`);
}
