import type { PodRouting } from '../../netconf/agent-protocol.ts';
import type { CniResult } from '../../netconf/result.ts';
import type { Allocation } from '../../netconf/store-state.ts';
import { ipamAdd } from '../cni/add.ts';
import { ipamCheck } from '../cni/check.ts';
import { ipamDel } from '../cni/del.ts';
import { ipamGc } from '../cni/gc.ts';
import type { IpamInvocation } from '../cni/invocation.ts';
import { ipamStatus } from '../cni/status.ts';
import { KeyedQueue } from './keyed-queue.ts';

/**
 * What the agent serves, one function per verb: the seam where the Kubernetes store will
 * replace the local one without the HTTP side changing.
 */
export interface AgentVerbs {
  add(inv: IpamInvocation): Promise<CniResult>;
  del(inv: IpamInvocation): Promise<Allocation[]>;
  check(inv: IpamInvocation): Promise<void>;
  gc(inv: IpamInvocation): Promise<Allocation[]>;
  status(inv: IpamInvocation): Promise<void>;
  /** The pod's routing wishes (its annotations), for nicpool-router. */
  podRouting(pod: { namespace: string; name: string }): Promise<PodRouting>;
}

/**
 * The plugin's own functions on the node's local store, run one at a time: the store's file
 * lock is made for separate processes, and in-process waiters would only poll it.
 */
export function localVerbs(): AgentVerbs {
  const queue = new KeyedQueue();
  const serial =
    <T>(verb: (inv: IpamInvocation) => Promise<T>) =>
    (inv: IpamInvocation): Promise<T> =>
      queue.run('store', () => verb(inv));
  return {
    add: serial(ipamAdd),
    del: serial(ipamDel),
    check: serial(ipamCheck),
    gc: serial(ipamGc),
    status: serial(ipamStatus),
    // Without Kubernetes a pod has no annotations.
    podRouting: async () => ({}),
  };
}
