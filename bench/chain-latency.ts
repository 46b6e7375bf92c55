// ADD+DEL of the full chain (macvlan + nicpool-ipam + nicpool-coordinator + nicpool-router)
// against macvlan + host-local + sbr, and each meta plugin's own cost (the chain with it minus
// the chain without it), interleaved in one lab so every variant sees the same machine.
import { execa } from 'execa';
import path from 'node:path';
import { repoRoot, runChain } from '../test/support/cni-runner.ts';
import { execPlugin } from '../test/support/exec-plugin.ts';
import { createIpamNode, type IpamNode } from '../test/support/ipam-lab.ts';
import type { Lab, Netns } from '../test/support/netns.ts';
import { measureRounds, Samples, timed, type LatencyRow } from './stats.ts';

const pool = { name: 'chain', spec: { ipVersion: 4, subnet: '10.92.0.0/16', ips: ['10.92.0.10-10.92.255.200'], gateway: '10.92.0.1', default: true } };

export async function measureChainLatency(lab: Lab, iterations: number): Promise<LatencyRow[]> {
  const node = await createIpamNode(lab, [pool]);
  const pod = await node.pod();
  const macvlanIpam = node.conflist('1.0.0') as { plugins: object[] };
  const withCoordinator = { ...macvlanIpam, name: `${node.network}-c`, plugins: [...macvlanIpam.plugins, { type: 'nicpool-coordinator', serviceCidrs: ['10.96.0.0/16'] }] };
  const fullChain = { ...withCoordinator, name: `${node.network}-cr`, plugins: [...withCoordinator.plugins, { type: 'nicpool-router' }] };
  const hostLocalSbr = {
    cniVersion: '1.0.0',
    name: 'bench-sbr',
    plugins: [
      { type: 'macvlan', master: 'm0', mode: 'bridge', ipam: { type: 'host-local', ranges: [[{ subnet: '10.93.0.0/16', gateway: '10.93.0.1' }]], dataDir: path.join(node.dir, 'host-local') } },
      { type: 'sbr' },
    ],
  };
  const chains = {
    'macvlan + nicpool-ipam': macvlanIpam,
    '  + nicpool-coordinator': withCoordinator,
    '  + nicpool-router (full chain)': fullChain,
    'macvlan + host-local + sbr': hostLocalSbr,
  };
  const samples = new Samples();
  await measureRounds(iterations, samples, async (round, record) => {
    for (const [name, conflist] of Object.entries(chains)) {
      const call = { conflist, containerID: `chain-${round}`, netns: pod.path, ifname: 'net1', cacheDir: node.cacheDir, runnerNetns: node.node.name };
      const add = await timed(() => runChain('ADD', call));
      const del = await timed(() => runChain('DEL', call));
      record(`net1 ADD+DEL ${name}`, add + del);
    }
  });
  await measureMetaPluginsAlone(node, pod, iterations, samples);
  return samples.rows();
}

/**
 * Each meta plugin exec'd alone on an attached NIC, ADD then DEL, as the runtime would call it
 * (with the chain's prevResult): its own cost, to compare with the Node floor.
 */
async function measureMetaPluginsAlone(node: IpamNode, pod: Netns, iterations: number, samples: Samples): Promise<void> {
  const attached = await runChain('ADD', { conflist: node.conflist('1.0.0'), containerID: 'alone', netns: pod.path, ifname: 'net9', cacheDir: node.cacheDir, runnerNetns: node.node.name });
  if (!attached.ok) throw new Error(`cannot attach the bench NIC: ${attached.error.msg}`);
  const plugins = {
    'nicpool-coordinator': { type: 'nicpool-coordinator', serviceCidrs: ['10.96.0.0/16'], announce: false },
    'nicpool-router': { type: 'nicpool-router' },
  };
  await measureRounds(iterations, samples, async (_round, record) => {
    for (const [name, conf] of Object.entries(plugins)) {
      const plugin = path.join(repoRoot, 'dist', 'plugins', name);
      const call = { containerID: 'alone', netns: pod.path, ifname: 'net9', runnerNetns: node.node.name, stdin: { cniVersion: '1.0.0', name: 'alone', ...conf, prevResult: attached.result } };
      record(`alone ADD  ${name}`, await timed(() => execPlugin(plugin, { command: 'ADD', ...call })));
      record(`alone DEL  ${name}`, await timed(() => execPlugin(plugin, { command: 'DEL', ...call })));
    }
    record('floor node -e 0 (in the node netns)', await timed(() => execa('ip', ['netns', 'exec', node.node.name, process.execPath, '-e', '0'])));
  });
}
