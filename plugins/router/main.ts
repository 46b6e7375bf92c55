// nicpool-router: per-NIC policy routing, so a reply leaves on the NIC its request came in on
// (design §6). A meta plugin: it returns prevResult unchanged.
import { routerAdd, routerCheck, routerDel } from '../../routing/router/router-verbs.ts';
import { runPlugin } from '../skel/run-plugin.ts';

void runPlugin('nicpool-router', {
  add: routerAdd,
  check: routerCheck,
  del: routerDel,
  // Nothing of ours outlives a pod's netns, so there is nothing to collect; always ready.
  gc: async () => undefined,
  status: async () => undefined,
});
