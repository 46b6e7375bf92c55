// ADD+DEL latency of macvlan + nicpool-ipam against macvlan + host-local, run by the libcni
// runner in one lab, interleaved so both see the same machine; plus each IPAM plugin exec'd
// alone and bare `node -e 0` (the start-up floor). Root: it builds namespaces.
import { execa } from 'execa';
import path from 'node:path';
import { ipamPlugin, createIpamNode } from '../test/support/ipam-lab.ts';
import { runChain } from '../test/support/cni-runner.ts';
import { execPlugin } from '../test/support/exec-plugin.ts';
import type { Lab } from '../test/support/netns.ts';
import { measureRounds, Samples, timed, type LatencyRow } from './stats.ts';

const pool = { name: 'bench', spec: { ipVersion: 4, subnet: '10.90.0.0/16', ips: ['10.90.0.10-10.90.255.200'], default: true } };

export async function measureIpamLatency(lab: Lab, iterations: number): Promise<LatencyRow[]> {
  const node = await createIpamNode(lab, [pool]);
  const pod = await node.pod();
  const hostLocal = {
    cniVersion: '1.0.0',
    name: 'bench-hl',
    plugins: [{ type: 'macvlan', master: 'm0', mode: 'bridge', ipam: { type: 'host-local', ranges: [[{ subnet: '10.91.0.0/16' }]], dataDir: path.join(node.dir, 'host-local') } }],
  };
  const chains = { 'macvlan + nicpool-ipam': node.conflist('1.0.0'), 'macvlan + host-local': hostLocal };
  const ipamConf = node.ipamConf('1.0.0');
  const hostLocalConf = { cniVersion: '1.0.0', name: 'bench-hl', type: 'macvlan', ipam: hostLocal.plugins[0]!.ipam };
  const alone = {
    'nicpool-ipam': { plugin: ipamPlugin, conf: ipamConf },
    'host-local': { plugin: '/usr/lib/cni/host-local', conf: hostLocalConf },
  };
  const samples = new Samples();
  await measureRounds(iterations, samples, async (round, record) => {
    for (const [name, conflist] of Object.entries(chains)) {
      const call = { conflist, containerID: `bench-${round}`, netns: pod.path, ifname: 'eth0', cacheDir: node.cacheDir, runnerNetns: node.node.name };
      const add = await timed(() => runChain('ADD', call));
      const del = await timed(() => runChain('DEL', call));
      record(`chain ADD  ${name}`, add);
      record(`chain DEL  ${name}`, del);
      record(`chain ADD+DEL ${name}`, add + del);
    }
    for (const [name, { plugin, conf }] of Object.entries(alone)) {
      // Exec'd directly (an IPAM plugin never enters the netns), like the floor below.
      const call = { containerID: `alone-${round}`, netns: pod.path, ifname: 'eth0', stdin: conf };
      record(`alone ADD  ${name}`, await timed(() => execPlugin(plugin, { command: 'ADD', ...call })));
      record(`alone DEL  ${name}`, await timed(() => execPlugin(plugin, { command: 'DEL', ...call })));
    }
    record('floor node -e 0', await timed(() => execa(process.execPath, ['-e', '0'])));
  });
  return samples.rows();
}
