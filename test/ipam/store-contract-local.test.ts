// The verbs contract (verbs-contract.ts) on the embedded local store, in the plugin.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStore } from '../../ipam/store/local/local-store.ts';
import { execPlugin } from '../support/exec-plugin.ts';
import { ipamPlugin } from '../support/ipam-lab.ts';
import { contractPools, runVerbsContract } from './verbs-contract.ts';

runVerbsContract('local', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'np-contract-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'store');
  return {
    run: (command, pod, call) =>
      execPlugin(ipamPlugin, {
        command,
        containerID: call.containerID,
        netns: `/var/run/netns/${call.containerID}`,
        ifname: call.ifname ?? 'eth0',
        args: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod}${call.args ? `;${call.args}` : ''}`,
        stdin: {
          cniVersion: '1.0.0',
          name: 'net',
          type: 'macvlan',
          ipam: { type: 'nicpool-ipam', poolFile: join(dir, 'none.json'), dataDir, nodeName: 'node-1', pools: contractPools },
          ...(call.prevResult !== undefined && { prevResult: call.prevResult }),
        },
      }),
    held: async () => (await openLocalStore(dataDir, 1000).read()).allocations.map(({ ip, containerID, ifname }) => ({ ip, containerID, ifname })),
  };
});
