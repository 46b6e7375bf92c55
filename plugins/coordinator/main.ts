// nicpool-coordinator: a veth from the pod to its node so an underlay pod reaches the node,
// Services and cluster CIDRs, and the node reaches every pod address (design §6).
import { coordinatorAdd, coordinatorCheck, coordinatorDel } from '../../routing/coordinator/coordinator-verbs.ts';
import { runPlugin } from '../skel/run-plugin.ts';

void runPlugin('nicpool-coordinator', {
  add: coordinatorAdd,
  check: coordinatorCheck,
  del: coordinatorDel,
  // Its veths die with their pods; nothing to collect. Always ready.
  gc: async () => undefined,
  status: async () => undefined,
});
