// The routing lab of design §6, built from cli/lab/topology.json in real namespaces: a router
// (forwarding, strict reverse-path filtering), a client in subnet C, a node with one underlay
// NIC per pod subnet, and pods attached through the full chain by the libcni runner.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Topology } from '../../netconf/topology.ts';
import { runChain, type ChainOutcome } from './cni-runner.ts';
import { ipIn, randomSuffix, sysctlIn, type Lab, type Netns } from './netns.ts';
import { writePoolFile } from './pool-file.ts';

export const topologyFile = path.resolve(import.meta.dirname, '..', '..', 'cli', 'lab', 'topology.json');

export function loadTopology(): Topology {
  return Topology.parse(JSON.parse(readFileSync(topologyFile, 'utf8')));
}

export interface ChainOptions {
  coordinator?: Record<string, unknown> | false;
  router?: Record<string, unknown> | false;
}

export interface PodAttachment {
  name: string;
  netns: Netns;
  containerID: string;
  /** ifname → subnet name, in attach order. */
  nics: Record<string, string>;
  /** ifname → its addresses, from the chain's results. */
  addresses: Record<string, { ipv4: string; ipv6: string }>;
  outcomes: Record<string, ChainOutcome>;
}

export interface RoutingLab {
  topology: Topology;
  router: Netns;
  client: Netns;
  node: Netns;
  attach(name: string, nics: Record<string, string>, options?: ChainOptions): Promise<PodAttachment>;

  detach(pod: PodAttachment, options?: ChainOptions): Promise<ChainOutcome[]>;
  check(pod: PodAttachment, options?: ChainOptions): Promise<ChainOutcome[]>;
  conflist(subnet: string, options?: ChainOptions): object;
}

const prefixOf = (cidr: string) => cidr.split('/')[1] ?? '';

export async function buildRoutingLab(lab: Lab, topology: Topology = loadTopology()): Promise<RoutingLab> {
  const router = await lab.netns('lab-rt');
  const client = await lab.netns('lab-cl');
  const node = await lab.netns('lab-node');
  for (const ns of [router, client, node]) await sysctlIn(ns.name, 'net.ipv6.conf.all.accept_dad', '0');
  for (const key of ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter']) {
    await sysctlIn(router.name, key, '1');
  }

  const subnetOf = (name: string) => {
    const subnet = topology.subnets[name];
    if (!subnet) throw new Error(`topology: no subnet ${name}`);
    return subnet;
  };
  const wire = async (subnetName: string, peer: Netns, peerLink: string, ipv4: string, ipv6: string) => {
    const subnet = subnetOf(subnetName);
    const routerLink = `r-${subnetName}`;
    await lab.veth(routerLink, router.name, peerLink, peer.name);
    await ipIn(router.name, ['addr', 'add', `${subnet.routerIpv4}/${prefixOf(subnet.ipv4)}`, 'dev', routerLink]);
    await ipIn(router.name, ['addr', 'add', `${subnet.routerIpv6}/${prefixOf(subnet.ipv6)}`, 'dev', routerLink, 'nodad']);
    await sysctlIn(router.name, `net.ipv4.conf.${routerLink}.rp_filter`, '1');
    await ipIn(router.name, ['link', 'set', routerLink, 'up']);
    await ipIn(peer.name, ['addr', 'add', `${ipv4}/${prefixOf(subnet.ipv4)}`, 'dev', peerLink]);
    await ipIn(peer.name, ['addr', 'add', `${ipv6}/${prefixOf(subnet.ipv6)}`, 'dev', peerLink, 'nodad']);
    await ipIn(peer.name, ['link', 'set', peerLink, 'up']);
  };
  for (const nic of topology.node.nics) await wire(nic.subnet, node, nic.name, nic.ipv4, nic.ipv6);
  await wire(topology.client.subnet, client, 'c0', topology.client.ipv4, topology.client.ipv6);
  const clientSubnet = subnetOf(topology.client.subnet);
  await ipIn(client.name, ['route', 'add', 'default', 'via', clientSubnet.routerIpv4]);
  await ipIn(client.name, ['-6', 'route', 'add', 'default', 'via', clientSubnet.routerIpv6]);
  // IPv6 has no rp_filter sysctl: the router drops by reverse path with netfilter instead.
  await execa('ip', ['netns', 'exec', router.name, 'ip6tables', '-t', 'raw', '-A', 'PREROUTING', '-m', 'rpfilter', '--invert', '-j', 'DROP']);
  // Service IPs live on the node (kube-proxy's job in a cluster).
  await ipIn(node.name, ['addr', 'add', `${topology.node.serviceIps.ipv4}/32`, 'dev', 'lo']);
  await ipIn(node.name, ['addr', 'add', `${topology.node.serviceIps.ipv6}/128`, 'dev', 'lo']);

  const dir = await lab.tmpDir('lab-routing');
  const poolFile = path.join(dir, 'pools.json');
  const pools = topology.pools.flatMap((pool) => {
    const subnet = subnetOf(pool.subnet);
    return [
      { name: `${pool.name}-v4`, spec: { ipVersion: 4, subnet: subnet.ipv4, ips: [pool.ipv4Range], gateway: subnet.routerIpv4 } },
      { name: `${pool.name}-v6`, spec: { ipVersion: 6, subnet: subnet.ipv6, ips: [pool.ipv6Range], gateway: subnet.routerIpv6 } },
    ];
  });
  await writePoolFile(poolFile, pools);
  const cacheDir = path.join(dir, 'cache');

  const conflist = (subnetName: string, options: ChainOptions = {}) => {
    const nic = topology.node.nics.find((candidate) => candidate.subnet === subnetName);
    const pool = topology.pools.find((candidate) => candidate.subnet === subnetName);
    if (!nic || !pool) throw new Error(`topology: no node NIC or pool in subnet ${subnetName}`);
    return {
      cniVersion: '1.0.0',
      name: `underlay-${subnetName.toLowerCase()}`,
      plugins: [
        {
          type: 'macvlan', master: nic.name, mode: 'bridge',
          ipam: { type: 'nicpool-ipam', poolFile, dataDir: path.join(dir, 'store'), defaultIPv4Pools: [`${pool.name}-v4`], defaultIPv6Pools: [`${pool.name}-v6`] },
        },
        ...(options.coordinator ? [{ type: 'nicpool-coordinator', ...options.coordinator }] : []),
        ...(options.router === false ? [] : [{ type: 'nicpool-router', ...(options.router ?? {}) }]),
      ],
    };
  };
  const call = (pod: { name: string; netns: Netns; containerID: string }, ifname: string, subnet: string, options: ChainOptions) => ({
    conflist: conflist(subnet, options),
    containerID: pod.containerID,
    netns: pod.netns.path,
    ifname,
    cacheDir,
    runnerNetns: node.name,
    args: [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'lab'], ['K8S_POD_NAME', pod.name]] as const,
  });

  return {
    topology, router, client, node, conflist,
    async attach(name, nics, options = {}) {
      const netns = await lab.netns('lab-pod');
      await sysctlIn(netns.name, 'net.ipv6.conf.all.accept_dad', '0');
      await sysctlIn(netns.name, 'net.ipv6.conf.default.accept_dad', '0');
      const pod: PodAttachment = { name, netns, containerID: `${name}-${randomSuffix(8)}`, nics, addresses: {}, outcomes: {} };
      for (const [ifname, subnet] of Object.entries(nics)) {
        const outcome = await runChain('ADD', call(pod, ifname, subnet, options));
        pod.outcomes[ifname] = outcome;
        if (!outcome.ok) throw new Error(`ADD ${name} ${ifname} failed: ${JSON.stringify(outcome.error)}`);
        const ips = ((outcome.result as { ips?: Array<{ address: string }> }).ips ?? []).map((ip) => ip.address.split('/')[0] ?? '');
        pod.addresses[ifname] = { ipv4: ips.find((ip) => !ip.includes(':')) ?? '', ipv6: ips.find((ip) => ip.includes(':')) ?? '' };
      }
      return pod;
    },

    async detach(pod, options = {}) {
      const nics = Object.entries(pod.nics).reverse();
      const outcomes: ChainOutcome[] = [];
      for (const [ifname, subnet] of nics) outcomes.push(await runChain('DEL', call(pod, ifname, subnet, options)));
      return outcomes;
    },
    async check(pod, options = {}) {
      const outcomes: ChainOutcome[] = [];
      for (const [ifname, subnet] of Object.entries(pod.nics)) outcomes.push(await runChain('CHECK', call(pod, ifname, subnet, options)));
      return outcomes;
    },
  };
}

