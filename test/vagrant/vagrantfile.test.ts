// vagrant/: the VM lab cannot run here (no nested VMs), so these tests check what can be checked
// without Vagrant: that the Ruby and the shell parse, that the plan vagrant/lib/topology.rb
// computes from cli/lab/topology.json (what the Vagrantfile builds the VMs from) holds every
// subnet and address of the topology, that its pool files and NetworkAttachmentDefinitions are
// what nicpool's own schemas accept, and that the Vagrantfile, run against a recording stand-in
// for Vagrant, defines the VMs of that plan. Needs `ruby` (Debian package ruby).
import test from '../support/test.ts';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compilePoolSet } from '../../ipam/pools/pool-set.ts';
import { CoordinatorConfig } from '../../netconf/coordinator-config.ts';
import { IpamConfig } from '../../netconf/ipam-config.ts';
import { canonicalIp, formatIp, parseIp, parseIpRange, RangeSet, type IpFamily } from '../../netconf/ip/index.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { RouterConfig } from '../../netconf/router-config.ts';
import { Topology } from '../../netconf/topology.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const vagrantDir = path.join(root, 'vagrant');
const topologyFile = path.join(root, 'cli', 'lab', 'topology.json');
const libFile = path.join(vagrantDir, 'lib', 'topology.rb');
const topology = Topology.parse(JSON.parse(await readFile(topologyFile, 'utf8')));

interface Nic { name: string; subnet: string; network: string; mac: string; ipv4: string; ipv6: string }
interface Vm { role: string; nics: Nic[]; routes: Array<{ dev: string; to: string; via: string }>; k3s?: Record<string, unknown>; pools?: unknown[] }
interface Manifest { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec: Record<string, unknown> }
interface Plan { vms: Record<string, Vm>; networkAttachments: Manifest[]; pods: Manifest[] }

/** Runs ruby; a missing ruby is a failure that says how to install it, never a skip. */
async function ruby(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('ruby', args, { cwd: root, reject: false, env });
  if (result.exitCode === undefined) {
    const reason = (result as { code?: string }).code ?? 'it could not be started';
    throw new Error(`ruby is needed and missing (${reason}): install it with \`apt-get install -y ruby\` (scripts/setup.sh lists it)`);
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** The plan as JSON, computed by vagrant/lib/topology.rb without Vagrant. */
async function plan(options = '', file = topologyFile): Promise<Plan> {
  const script = `require File.expand_path(ARGV[0]); require "json"; puts JSON.generate(NicpoolLab::Plan.load(ARGV[1]${options}).to_h)`;
  const result = await ruby(['-e', script, libFile, file]);
  if (result.exitCode !== 0) throw new Error(`vagrant/lib/topology.rb failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Plan;
}

const bare = (address: string) => address.split('/')[0]!;
const prefix = (cidr: string) => cidr.split('/')[1]!;
const nodeNames = ['node1', 'node2'];
const shellScripts = async () => [
  path.join(vagrantDir, 'check.sh'),
  ...(await readdir(path.join(vagrantDir, 'provision'))).filter((name) => name.endsWith('.sh')).map((name) => path.join(vagrantDir, 'provision', name)),
];

test('V-01 ruby -c accepts the Vagrantfile and vagrant/lib/topology.rb', async (t) => {
  for (const file of [path.join(vagrantDir, 'Vagrantfile'), libFile]) {
    const result = await ruby(['-c', file]);
    t.is(result.exitCode, 0, `${file}: ${result.stderr}`);
    t.is(result.stdout.trim(), 'Syntax OK', file);
  }
});

test('V-02 bash -n accepts every script under vagrant/, and each runs with set -euo pipefail', async (t) => {
  const scripts = await shellScripts();
  t.true(scripts.length >= 7, scripts.join(', '));
  for (const script of scripts) {
    const result = await execa('bash', ['-n', script], { reject: false });
    t.is(result.exitCode, 0, `${script}: ${result.stderr}`);
    t.regex(await readFile(script, 'utf8'), /^#!\/usr\/bin\/env bash\n(#.*\n)*set -euo pipefail\n/m, script);
  }
});

test('V-03 the plan holds every subnet and address of cli/lab/topology.json: router, client, node1', async (t) => {
  const { vms } = await plan();
  t.deepEqual(Object.keys(vms), ['router', 'client', ...nodeNames]);
  const withPrefix = (address: string, subnet: string, family: 'ipv4' | 'ipv6') => `${address}/${prefix(topology.subnets[subnet]![family])}`;

  // The router: one NIC per subnet, holding the subnet's router addresses.
  t.deepEqual(vms.router!.nics.map((nic) => [nic.name, nic.subnet, nic.network, nic.ipv4, nic.ipv6]),
    Object.entries(topology.subnets).map(([name, subnet]) => [`r-${name}`, name, `nicpool-lab-${name}`, withPrefix(subnet.routerIpv4, name, 'ipv4'), withPrefix(subnet.routerIpv6, name, 'ipv6')]));

  // The client: its addresses in its subnet, and every other subnet through its subnet's router.
  const { client } = topology;
  t.deepEqual(vms.client!.nics.map((nic) => [nic.subnet, nic.network, nic.ipv4, nic.ipv6]),
    [[client.subnet, `nicpool-lab-${client.subnet}`, withPrefix(client.ipv4, client.subnet, 'ipv4'), withPrefix(client.ipv6, client.subnet, 'ipv6')]]);
  const gateway = topology.subnets[client.subnet]!;
  const others = Object.entries(topology.subnets).filter(([name]) => name !== client.subnet);
  t.deepEqual(vms.client!.routes.map((route) => `${route.to} via ${route.via}`).sort(),
    others.flatMap(([, subnet]) => [`${subnet.ipv4} via ${gateway.routerIpv4}`, `${subnet.ipv6} via ${gateway.routerIpv6}`]).sort());

  // node1: exactly the topology's node NICs.
  t.deepEqual(vms.node1!.nics.map((nic) => [nic.name, nic.subnet, nic.network, nic.ipv4, nic.ipv6]),
    topology.node.nics.map((nic) => [nic.name, nic.subnet, `nicpool-lab-${nic.subnet}`, withPrefix(nic.ipv4, nic.subnet, 'ipv4'), withPrefix(nic.ipv6, nic.subnet, 'ipv6')]));

  // Every address of the topology file is somewhere in the plan.
  const planned = new Set(Object.values(vms).flatMap((vm) => vm.nics.flatMap((nic) => [bare(nic.ipv4), bare(nic.ipv6)])));
  const inTopology = [
    ...Object.values(topology.subnets).flatMap((subnet) => [subnet.routerIpv4, subnet.routerIpv6]),
    client.ipv4, client.ipv6,
    ...topology.node.nics.flatMap((nic) => [nic.ipv4, nic.ipv6]),
  ];
  t.deepEqual(inTopology.filter((address) => !planned.has(address)), []);
});

test('V-04 node2 has node1\'s addresses + 1; no address or MAC is used twice; each NIC is on its subnet\'s network', async (t) => {
  const { vms } = await plan();
  const plusOne = (address: string) => {
    const ip = parseIp(address)!;
    return formatIp({ family: ip.family, value: ip.value + 1n });
  };
  t.deepEqual(vms.node2!.nics.map((nic) => [nic.name, nic.subnet, bare(nic.ipv4), bare(nic.ipv6)]),
    topology.node.nics.map((nic) => [nic.name, nic.subnet, plusOne(nic.ipv4), plusOne(nic.ipv6)]));
  const nics = Object.values(vms).flatMap((vm) => vm.nics);
  const addresses = nics.flatMap((nic) => [canonicalIp(bare(nic.ipv4)), canonicalIp(bare(nic.ipv6))]);
  t.is(new Set(addresses).size, addresses.length, addresses.join(' '));
  t.is(new Set(nics.map((nic) => nic.mac)).size, nics.length);
  for (const nic of nics) {
    t.is(nic.network, `nicpool-lab-${nic.subnet}`);
    t.regex(nic.mac, /^02(:[0-9a-f]{2}){5}$/, 'a locally administered unicast MAC');
  }
});

test('V-05 each node\'s pool file is valid for nicpool-ipam; the nodes\' shares are disjoint and together are the topology\'s ranges', async (t) => {
  const { vms } = await plan();
  const files = nodeNames.map((name) => (vms[name]!.pools ?? []).map((pool) => IPPool.parse(pool)));
  for (const pools of files) t.notThrows(() => compilePoolSet(pools), 'one node\'s file compiles (no overlap inside it)');
  // Both files in one set, the second renamed: nicpool's own overlap check proves them disjoint.
  const both = [...files[0]!, ...files[1]!.map((pool) => ({ ...pool, metadata: { name: `${pool.metadata.name}-node2` } }))];
  t.notThrows(() => compilePoolSet(both), 'node1\'s and node2\'s shares do not overlap');

  const rangeSet = (family: IpFamily, ranges: string[]) => RangeSet.of(family, ranges.map((text) => {
    const range = parseIpRange(text);
    if ('error' in range) throw new Error(`${text} ${range.error}`);
    return [range.start, range.end] as const;
  }));
  for (const pool of topology.pools) {
    const subnet = topology.subnets[pool.subnet]!;
    for (const [version, range, gateway] of [[4, pool.ipv4Range, subnet.routerIpv4], [6, pool.ipv6Range, subnet.routerIpv6]] as const) {
      const shares = files.map((pools) => pools.find((candidate) => candidate.metadata.name === `${pool.name}-v${version}`));
      t.true(shares.every((share) => share !== undefined), `${pool.name}-v${version} on every node`);
      const [first, second] = shares.map((share) => rangeSet(version, share!.spec.ips));
      t.true(first!.union(second!).equals(rangeSet(version, [range])), `${pool.name}-v${version}: the shares make up ${range}`);
      t.is(first!.size(), second!.size(), 'halves');
      t.deepEqual(shares.map((share) => share!.spec.gateway), [gateway, gateway], 'the router is the gateway');
    }
  }
});

test('V-06 NetworkAttachmentDefinitions: per pool subnet, macvlan on that subnet\'s node NIC + nicpool-ipam, -coordinator, -router; pods attach their non-eth0 NICs', async (t) => {
  const { networkAttachments, pods } = await plan();
  const subnets = [...new Set(topology.pools.map((pool) => pool.subnet))];
  t.deepEqual(networkAttachments.map((nad) => nad.metadata.name), subnets.map((subnet) => `underlay-${subnet.toLowerCase()}`));
  for (const [index, nad] of networkAttachments.entries()) {
    const subnet = subnets[index]!;
    const conflist = JSON.parse(nad.spec.config as string) as { cniVersion: string; name: string; plugins: Array<Record<string, unknown> & { type: string }> };
    t.is(nad.kind, 'NetworkAttachmentDefinition');
    t.is(conflist.name, nad.metadata.name);
    t.deepEqual(conflist.plugins.map((plugin) => plugin.type), ['macvlan', 'nicpool-coordinator', 'nicpool-router']);
    const [macvlan, coordinator, router] = conflist.plugins;
    t.is(macvlan!.master, topology.node.nics.find((nic) => nic.subnet === subnet)!.name);
    const ipam = IpamConfig.parse(macvlan!.ipam);
    t.deepEqual(ipam.defaultIPv4Pools, topology.pools.filter((pool) => pool.subnet === subnet).map((pool) => `${pool.name}-v4`));
    t.deepEqual(ipam.defaultIPv6Pools, topology.pools.filter((pool) => pool.subnet === subnet).map((pool) => `${pool.name}-v6`));
    const standard = { cniVersion: conflist.cniVersion, name: conflist.name };
    t.deepEqual(CoordinatorConfig.parse({ ...standard, ...coordinator }).serviceCidrs, topology.node.serviceCidrs, 'the netns lab\'s full chain');
    t.notThrows(() => RouterConfig.parse({ ...standard, ...router }));
  }

  t.deepEqual(pods.map((pod) => pod.metadata.name), topology.pods.map((pod) => pod.name));
  for (const [index, pod] of pods.entries()) {
    const attachments = JSON.parse(pod.metadata.annotations!['k8s.v1.cni.cncf.io/networks']!) as Array<{ name: string; interface: string }>;
    const expected = Object.entries(topology.pods[index]!.nics).filter(([ifname]) => ifname !== 'eth0');
    t.deepEqual(attachments, expected.map(([ifname, subnet]) => ({ name: `underlay-${subnet.toLowerCase()}`, interface: ifname })), 'eth0 stays the cluster network');
    t.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': nodeNames[index % nodeNames.length] }, 'pods take turns on the nodes');
  }
});

test('V-07 the control case (with_router: false) leaves only nicpool-router out', async (t) => {
  const full = await plan();
  const control = await plan(', with_router: false');
  const types = (nads: Manifest[]) => nads.map((nad) => (JSON.parse(nad.spec.config as string) as { plugins: Array<{ type: string }> }).plugins.map((plugin) => plugin.type));
  t.deepEqual(types(control.networkAttachments), types(full.networkAttachments).map((chain) => chain.filter((type) => type !== 'nicpool-router')));
  t.deepEqual(control.vms, full.vms);
});

// A stand-in for Vagrant: Vagrant.configure yields an object that records every call made on it
// and on what it returns, with the machine (config.vm.define) and provider block it was made in.
const vagrantStandIn = String.raw`
require "json"
class Recorder
  def initialize(log, machine = nil, provider = nil)
    @log, @machine, @provider = log, machine, provider
  end

  def method_missing(name, *args, **options, &block)
    @log << { "machine" => @machine, "provider" => @provider, "call" => name.to_s, "args" => args, "options" => options }
    machine = name == :define ? args.first : @machine
    provider = name == :provider ? args.first : @provider
    child = Recorder.new(@log, machine, provider)
    block&.call(child)
    child
  end

  def respond_to_missing?(*) = true
end

module Vagrant
  LOG = []
  def self.require_version(*); end
  def self.configure(_version) = yield(Recorder.new(LOG))
end

load ARGV[0]
puts JSON.generate(Vagrant::LOG)
`;

interface Call { machine: string | null; provider: string | null; call: string; args: unknown[]; options: Record<string, unknown> }

test('V-08 the Vagrantfile, run with a recording stand-in for Vagrant, defines the plan\'s VMs on both providers', async (t) => {
  const generated = await mkdtemp(path.join(os.tmpdir(), 'np-vagrant-'));
  t.teardown(() => rm(generated, { recursive: true, force: true }));
  const result = await ruby(['-e', vagrantStandIn, path.join(vagrantDir, 'Vagrantfile')], { NICPOOL_LAB_GENERATED_DIR: generated });
  t.is(result.exitCode, 0, result.stderr);
  const calls = JSON.parse(result.stdout) as Call[];
  const { vms } = await plan();

  t.deepEqual(calls.filter((call) => call.call === 'box=').map((call) => call.args), [['debian/bookworm64']]);
  t.deepEqual(calls.filter((call) => call.call === 'define').map((call) => call.args[0]), ['router', 'client', 'node2', 'node1'], 'the k3s server last');
  for (const [name, vm] of Object.entries(vms)) {
    const mine = calls.filter((call) => call.machine === name);
    t.deepEqual(mine.filter((call) => call.call === 'hostname=').map((call) => call.args), [[name]]);
    const networks = mine.filter((call) => call.call === 'network');
    t.deepEqual(networks.map((call) => [call.args[0], call.options.virtualbox__intnet, call.options.libvirt__network_name, call.options.libvirt__mac, call.options.auto_config]),
      vm.nics.map((nic) => ['private_network', nic.network, nic.network, nic.mac, false]), `${name}: one private network per NIC, both providers`);
    t.true(networks.every((call) => call.options.libvirt__forward_mode === 'veryisolated'), 'no host address on the lab networks');
    t.deepEqual([...new Set(mine.filter((call) => call.call === 'provider').map((call) => call.args[0]))].sort(), ['libvirt', 'virtualbox']);
    const promiscuous = mine.filter((call) => call.provider === 'virtualbox' && call.call === 'customize').map((call) => (call.args[0] as string[])[2]);
    t.deepEqual(promiscuous, vm.nics.map((_, index) => `--nicpromisc${index + 2}`), 'macvlan needs promiscuous NICs on VirtualBox');
    const provisioners = mine.filter((call) => call.call === 'provision').map((call) => [call.args[0], call.options.path, ...(call.options.args as string[])]);
    const generatedInGuest = `/nicpool/vagrant/.generated/${name}`;
    const expected = {
      router: [['router', 'provision/router.sh', generatedInGuest]],
      client: [['client', 'provision/client.sh', generatedInGuest]],
      node1: [['node', 'provision/node.sh', generatedInGuest, 'server'], ['workloads', 'provision/workloads.sh', '/nicpool/vagrant/.generated', ...nodeNames]],
      node2: [['node', 'provision/node.sh', generatedInGuest, 'agent']],
    }[name];
    t.deepEqual(provisioners, [['nics', 'provision/nics.sh', generatedInGuest], ...expected!], name);
  }
  // What the provisioning reads is there.
  t.deepEqual((await readdir(path.join(generated, 'node2'))).sort(), ['k3s-config.yaml', 'nics.tsv', 'pools.json', 'routes.tsv']);
  t.regex(await readFile(path.join(generated, 'client', 'nics.tsv'), 'utf8'), new RegExp(`^c0\\t${vms.client!.nics[0]!.mac}\\t${vms.client!.nics[0]!.ipv4}\\t`));
});

test('V-09 a topology whose node2 address would be taken is refused, naming the key and the reason', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-vagrant-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const nic = topology.node.nics[1]!;
  const next = formatIp({ family: 4, value: parseIp(nic.ipv4)!.value + 1n });
  // A pool of that subnet now starts right after the node's address.
  const pools = topology.pools.map((pool) => (pool.subnet === nic.subnet ? { ...pool, ipv4Range: `${next}-${pool.ipv4Range.split('-')[1]}` } : pool));
  const file = path.join(dir, 'topology.json');
  await writeFile(file, JSON.stringify({ ...topology, pools }));
  const error = await t.throwsAsync(plan('', file));
  t.regex(error.message, new RegExp(`node\\.nics\\[1\\]\\.ipv4: node2 would get ${nic.ipv4.replaceAll('.', '\\.')} \\+ 1 = ${next.replaceAll('.', '\\.')}, which lies in pool`));
});

test('V-10 no address of the topology is written in the Vagrantfile, its Ruby or its scripts (they read topology.json)', async (t) => {
  const files = [path.join(vagrantDir, 'Vagrantfile'), libFile, ...(await shellScripts())];
  const addresses = [
    ...Object.values(topology.subnets).flatMap((subnet) => [subnet.ipv4, subnet.ipv6, subnet.routerIpv4, subnet.routerIpv6]),
    topology.client.ipv4, topology.client.ipv6,
    ...topology.node.nics.flatMap((nic) => [nic.ipv4, nic.ipv6]),
    ...topology.node.serviceCidrs,
    ...topology.pools.flatMap((pool) => [pool.ipv4Range, pool.ipv6Range]),
  ];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    t.deepEqual(addresses.filter((address) => new RegExp(`(^|[^0-9a-f:.])${address.replaceAll('.', '\\.')}($|[^0-9a-f:.])`).test(text)), [], file);
  }
});
