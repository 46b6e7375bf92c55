import type { Allocation } from '../../netconf/store-state.ts';
import { planRelease } from '../allocate/plan-release.ts';
import { openLocalStore } from '../store/local/local-store.ts';
import { attachmentOf, ipamConfigFor, type IpamInvocation } from './invocation.ts';

/** DEL: frees the attachment's addresses; already free (or never held) is success. */
export async function ipamDel(inv: IpamInvocation): Promise<Allocation[]> {
  const config = ipamConfigFor(inv, 'local');
  const attachment = attachmentOf(inv);
  const store = openLocalStore(config.dataDir, config.lockTimeoutMs);
  return store.update((state) => {
    const plan = planRelease(state, attachment);
    return { ...(plan.released.length > 0 && { state: plan.state }), value: plan.released };
  });
}
