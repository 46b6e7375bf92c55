import { CniCode, CniError } from '../../netconf/errors.ts';
import { checkReservation } from '../allocate/plan-check.ts';
import { loadPools } from '../pools/load-pools.ts';
import { openLocalStore } from '../store/local/local-store.ts';
import { attachmentOf, ipamConfigFor, type IpamInvocation } from './invocation.ts';

/** CHECK: prevResult's addresses are exactly the reservation's, prefixes included. */
export async function ipamCheck(inv: IpamInvocation): Promise<void> {
  const config = ipamConfigFor(inv, 'local');
  const prevResult = inv.conf.prevResult;
  if (prevResult === undefined) throw new CniError(CniCode.InvalidConfig, 'prevResult: missing, CHECK needs the result of ADD');
  const pools = await loadPools(config);
  const state = await openLocalStore(config.dataDir, config.lockTimeoutMs).read();
  checkReservation(state, attachmentOf(inv), prevResult, (pool) => pools.get(pool)?.subnet.prefix);
}
