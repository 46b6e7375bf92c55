// The IPAM demo of the netns lab: a node with two underlay NICs (veth ends m0 and m1), pods
// attached to both through Debian's macvlan + nicpool-ipam on the embedded local store, and
// a StatefulSet-style pod deleted and re-created to show it keeps its addresses.
import path from 'node:path';
import { runChain, type ChainOutcome } from '../../test/support/cni-runner.ts';
import { ipIn, type Lab } from '../../test/support/netns.ts';
import { writePoolFile } from '../../test/support/pool-file.ts';

const pools = [
  { name: 'subnet-a', spec: { ipVersion: 4, subnet: '10.10.0.0/24', ips: ['10.10.0.10-10.10.0.99'], gateway: '10.10.0.1' } },
  { name: 'subnet-a6', spec: { ipVersion: 6, subnet: 'fd00:10::/64', ips: ['fd00:10::10-fd00:10::ff'] } },
  { name: 'subnet-b', spec: { ipVersion: 4, subnet: '10.20.0.0/24', ips: ['10.20.0.10-10.20.0.99'], gateway: '10.20.0.1', fixedIPs: true } },
];

export interface DemoRow {
  pod: string;
  nic: string;
  addresses: string;
  note: string;
}

export async function runIpamDemo(lab: Lab): Promise<DemoRow[]> {
  const node = await lab.netns('lab-node');
  for (const [master, peer] of [['m0', 'u0'], ['m1', 'u1']] as const) {
    await lab.veth(master, node.name, peer, node.name);
    await ipIn(node.name, ['link', 'set', master, 'up']);
  }
  const dir = await lab.tmpDir('lab');
  const poolFile = path.join(dir, 'pools.json');
  await writePoolFile(poolFile, pools);
  const network = (name: string, master: string, ipam: Record<string, unknown>) => ({
    cniVersion: '1.0.0',
    name,
    plugins: [{ type: 'macvlan', master, mode: 'bridge', ipam: { type: 'nicpool-ipam', poolFile, dataDir: path.join(dir, 'store'), ...ipam } }],
  });
  const networks = {
    eth0: network('underlay-a', 'm0', { defaultIPv4Pools: ['subnet-a'], defaultIPv6Pools: ['subnet-a6'] }),
    net1: network('underlay-b', 'm1', { defaultIPv4Pools: ['subnet-b'] }),
  };

  const rows: DemoRow[] = [];
  const attach = async (pod: string, netnsPath: string, containerID: string, note: string) => {
    for (const [ifname, conflist] of Object.entries(networks)) {
      const outcome = await runChain('ADD', {
        conflist, containerID, netns: netnsPath, ifname, cacheDir: path.join(dir, 'cache'), runnerNetns: node.name,
        args: [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'demo'], ['K8S_POD_NAME', pod]],
      });
      rows.push({ pod, nic: ifname, addresses: addressesOf(outcome), note });
    }
  };
  const detach = async (netnsPath: string, containerID: string) => {
    for (const [ifname, conflist] of Object.entries(networks)) {
      await runChain('DEL', { conflist, containerID, netns: netnsPath, ifname, cacheDir: path.join(dir, 'cache'), runnerNetns: node.name });
    }
  };

  for (const pod of ['web-0', 'web-1', 'db-0']) {
    const ns = await lab.netns('lab-pod');
    await attach(pod, ns.path, `${pod}-sandbox-1`, '');
  }
  // db-0 is deleted and re-created under the same name: subnet-b is a fixedIPs pool.
  const gone = rows.filter((row) => row.pod === 'db-0');
  await detach('/var/run/netns/gone', 'db-0-sandbox-1');
  await attach('web-2', (await lab.netns('lab-pod')).path, 'web-2-sandbox-1', 'started while db-0 was away');
  await attach('db-0', (await lab.netns('lab-pod')).path, 'db-0-sandbox-2', 're-created');
  const back = rows.filter((row) => row.pod === 'db-0' && row.note === 're-created');
  for (const row of back) {
    const before = gone.find((old) => old.nic === row.nic);
    if (before && row.nic === 'net1') row.note += before.addresses === row.addresses ? ', kept its net1 IP (fixedIPs)' : ', LOST its net1 IP';
  }
  return rows;
}

function addressesOf(outcome: ChainOutcome): string {
  if (!outcome.ok) return `error ${outcome.error.code}: ${outcome.error.msg}`;
  const ips = (outcome.result as { ips?: Array<{ address: string }> }).ips ?? [];
  return ips.map((ip) => ip.address).join(', ');
}
