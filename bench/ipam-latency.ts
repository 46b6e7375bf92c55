// ADD+DEL latency of macvlan + nicpool-ipam against macvlan + host-local, run by the libcni
// runner in one lab, interleaved so both see the same machine; plus each IPAM plugin exec'd
// alone and bare `node -e 0` (the start-up floor). Root: it builds namespaces.
import { execa } from 'execa';
import path from 'node:path';
import { ipamPlugin, createIpamNode } from '../test/support/ipam-lab.ts';
import { runChain } from '../test/support/cni-runner.ts';
import { execPlugin } from '../test/support/exec-plugin.ts';
import type { Lab } from '../test/support/netns.ts';
import { summarize, timed } from './stats.ts';

export interface LatencyRow {
  what: string;
  median: number;
  p95: number;
  n: number;
}

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
  const samples = new Map<string, number[]>();
  const record = (what: string, ms: number) => samples.set(what, [...(samples.get(what) ?? []), ms]);

  const ipamConf = node.ipamConf('1.0.0');
  const hostLocalConf = { cniVersion: '1.0.0', name: 'bench-hl', type: 'macvlan', ipam: hostLocal.plugins[0]!.ipam };
  const alone = {
    'nicpool-ipam': { plugin: ipamPlugin, conf: ipamConf },
    'host-local': { plugin: '/usr/lib/cni/host-local', conf: hostLocalConf },
  };
  const node24 = process.execPath;

  for (let i = -3; i < iterations; i++) {
    const keep = i >= 0; // the first rounds warm caches (page cache, V8 compile cache)
    for (const [name, conflist] of Object.entries(chains)) {
      const call = { conflist, containerID: `bench-${i + 3}`, netns: pod.path, ifname: 'eth0', cacheDir: node.cacheDir, runnerNetns: node.node.name };
      const add = await timed(() => runChain('ADD', call));
      const del = await timed(() => runChain('DEL', call));
      if (keep) record(`chain ADD  ${name}`, add), record(`chain DEL  ${name}`, del), record(`chain ADD+DEL ${name}`, add + del);
    }
    for (const [name, { plugin, conf }] of Object.entries(alone)) {
      // Exec'd directly (an IPAM plugin never enters the netns), like the floor below.
      const call = { containerID: `alone-${i + 3}`, netns: pod.path, ifname: 'eth0', stdin: conf };
      const add = await timed(() => execPlugin(plugin, { command: 'ADD', ...call }));
      const del = await timed(() => execPlugin(plugin, { command: 'DEL', ...call }));
      if (keep) record(`alone ADD  ${name}`, add), record(`alone DEL  ${name}`, del);
    }
    const floor = await timed(() => execa(node24, ['-e', '0']));
    if (keep) record('floor node -e 0', floor);
  }
  return [...samples].map(([what, values]) => ({ what, ...summarize(values) }));
}
