import { CniCode, CniError } from '../../netconf/errors.ts';
import { takenAddresses } from '../allocate/plan-add.ts';
import { loadPools } from '../pools/load-pools.ts';
import { poolRejection } from '../select/pool-filters.ts';
import { openLocalStore } from '../store/local/local-store.ts';
import { ipamConfigFor, nodeNameOf, type IpamInvocation } from './invocation.ts';

/**
 * STATUS: ready while some pool this network may use on this node has a free address.
 * Per-pod filters (namespace, pod labels, requested IPs) are not known here and are ignored.
 */
export async function ipamStatus(inv: IpamInvocation): Promise<void> {
  const config = ipamConfigFor(inv, 'local');
  const pools = await loadPools(config);
  const named = new Set([...(config.defaultIPv4Pools ?? []), ...(config.defaultIPv6Pools ?? [])]);
  const ctx = { network: inv.conf.name, nodeName: nodeNameOf(config), podNamespace: undefined, ignorePodFilters: true };
  const usable = [...pools.values()].filter((pool) => (named.has(pool.name) || pool.spec.default) && poolRejection(pool, ctx) === undefined);
  if (usable.length === 0) throw new CniError(CniCode.PluginNotAvailable, `no usable pool for network ${JSON.stringify(inv.conf.name)} on this node`);
  const state = await openLocalStore(config.dataDir, config.lockTimeoutMs).read();
  const hasFree = usable.some((pool) => pool.allocatable.firstFree(takenAddresses(state, pool.family), 0n) !== undefined);
  if (!hasFree) throw new CniError(CniCode.PluginNotAvailable, `every pool of network ${JSON.stringify(inv.conf.name)} is exhausted: ${usable.map((pool) => pool.name).join(', ')}`);
}
