import type { CniResult } from '../../netconf/result.ts';
import { buildIpamResult } from '../allocate/build-result.ts';
import { planAdd } from '../allocate/plan-add.ts';
import { loadPools } from '../pools/load-pools.ts';
import { choosePools } from '../select/choose-pools.ts';
import { openLocalStore } from '../store/local/local-store.ts';
import { addRequestOf, ipamConfigFor, type IpamInvocation } from './invocation.ts';

/** ADD: one address per family for the attachment, committed in one store update. */
export async function ipamAdd(inv: IpamInvocation): Promise<CniResult> {
  const config = ipamConfigFor(inv, 'local');
  const pools = await loadPools(config);
  const request = addRequestOf(inv, config);
  const choice = choosePools(pools, request);
  const store = openLocalStore(config.dataDir, config.lockTimeoutMs);
  return store.update((state) => {
    const plan = planAdd(state, choice, request, new Date());
    // Built before the commit: a result we cannot return must not leave a reservation behind.
    const result = buildIpamResult(plan.allocations, pools);
    return { ...(plan.changed && { state: plan.state }), value: result };
  });
}
