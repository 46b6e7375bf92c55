import { CniCode, CniError } from '../../netconf/errors.ts';
import type { Allocation } from '../../netconf/store-state.ts';
import { planGarbageCollection } from '../allocate/plan-release.ts';
import { openLocalStore } from '../store/local/local-store.ts';
import { ipamConfigFor, type IpamInvocation } from './invocation.ts';

/** GC: frees this network's allocations whose attachment the runtime no longer knows. */
export async function ipamGc(inv: IpamInvocation): Promise<Allocation[]> {
  const config = ipamConfigFor(inv, 'local');
  const valid = inv.conf['cni.dev/valid-attachments'];
  // Without the list we cannot tell live from dead; freeing everything would be the worst guess.
  if (valid === undefined) throw new CniError(CniCode.InvalidConfig, 'cni.dev/valid-attachments: missing, GC needs it');
  const store = openLocalStore(config.dataDir, config.lockTimeoutMs);
  return store.update((state) => {
    const plan = planGarbageCollection(state, inv.conf.name, valid);
    return { ...(plan.released.length > 0 && { state: plan.state }), value: plan.released };
  });
}
