// nicpool-ipam under Debian's real macvlan plugin, run by libcni (the runtime's library) in real
// network namespaces. Needs root: it creates namespaces and links (CI runs it as root).
import type { ExecutionContext } from 'ava';
import test from '../support/test.ts';
import { Lab, addressesOf, assertRoot, linkExists, deleteNetns, randomSuffix } from '../support/netns.ts';
import { createIpamNode, resultAddresses, type IpamNode, type PoolInput } from '../support/ipam-lab.ts';
import { invariantViolations } from '../support/invariants.ts';

const poolA: PoolInput = { name: 'pool-a', spec: { ipVersion: 4, subnet: '10.66.0.0/24', ips: ['10.66.0.10-10.66.0.40'], excludeIPs: ['10.66.0.20'], gateway: '10.66.0.1', default: true } };
const poolA6: PoolInput = { name: 'pool-a6', spec: { ipVersion: 6, subnet: 'fd00:66::/64', ips: ['fd00:66::10-fd00:66::ff'], default: true } };

/** A test on a fresh node; after the body, the store must satisfy design §4's invariants. */
function ipamTest(title: string, pools: PoolInput[], body: (t: ExecutionContext, node: IpamNode) => Promise<void>): void {
  test(title, async (t) => {
    assertRoot('ipam-chain.test.ts');
    const lab = new Lab();
    t.teardown(() => lab.cleanup());
    const node = await createIpamNode(lab, pools);
    await body(t, node);
    t.deepEqual(invariantViolations(await node.store(), pools), [], 'store invariants');
  });
}

const dualStack = [poolA, poolA6];

const containerId = () => `ctr-${randomSuffix(10)}`;

for (const cniVersion of ['0.3.0', '0.3.1', '0.4.0', '1.0.0']) {
  ipamTest(`C-I01 ADD/CHECK/DEL through macvlan with cniVersion ${cniVersion}: the allocated addresses are on the pod interface, then gone`, dualStack, async (t, node) => {
    const pod = await node.pod();
    const call = { containerID: containerId(), netns: pod.path, conflist: node.conflist(cniVersion) };
    const added = await node.chain('ADD', call);
    if (!added.ok) return t.fail(JSON.stringify(added.error));
    t.is((added.result as { cniVersion: string }).cniVersion, cniVersion);
    const addresses = resultAddresses(added.result);
    t.deepEqual(addresses, ['10.66.0.10', 'fd00:66::10']);
    const onLink = (await addressesOf(pod.name, 'eth0')).map((a) => `${a.local}/${a.prefixlen}`);
    t.true(onLink.includes('10.66.0.10/24'), onLink.join(' '));
    t.true(onLink.includes('fd00:66::10/64'), onLink.join(' '));
    if (cniVersion === '0.4.0' || cniVersion === '1.0.0') t.deepEqual(await node.chain('CHECK', call), { ok: true });
    t.deepEqual(await node.chain('DEL', call), { ok: true });
    t.false(await linkExists(pod.name, 'eth0'));
    t.deepEqual((await node.store()).allocations, []);
    t.deepEqual(await node.chain('DEL', call), { ok: true }, 'a second DEL succeeds');
  });
}

ipamTest('C-I02 cniVersion 1.1.0 (beyond libcni 1.1.2): ADD returns a 1.1.0 result, CHECK and DEL succeed', dualStack, async (t, node) => {
  const call = { containerID: containerId(), netns: '/var/run/netns/unused', ifname: 'net1' };
  const added = await node.ipam('ADD', { ...call, stdin: node.ipamConf('1.1.0') });
  t.is(added.exitCode, 0, added.stdout + added.stderr);
  t.deepEqual(added.json, { cniVersion: '1.1.0', ips: [{ address: '10.66.0.10/24', gateway: '10.66.0.1' }, { address: 'fd00:66::10/64' }], routes: [] });
  const check = await node.ipam('CHECK', { ...call, stdin: { ...node.ipamConf('1.1.0'), prevResult: added.json } });
  t.is(check.exitCode, 0, check.stdout);
  t.is((await node.ipam('DEL', { containerID: call.containerID, ifname: 'net1', stdin: node.ipamConf('1.1.0') })).exitCode, 0);
  t.deepEqual((await node.store()).allocations, []);
});

ipamTest('C-I03 a repeated ADD of the same attachment returns the same addresses', dualStack, async (t, node) => {
  const call = { containerID: containerId(), netns: '/var/run/netns/unused', ifname: 'net1', stdin: node.ipamConf() };
  const first = await node.ipam('ADD', call);
  const second = await node.ipam('ADD', call);
  t.is(first.exitCode, 0);
  t.deepEqual(second.json, first.json);
  t.is((await node.store()).allocations.length, 2);
});

ipamTest('C-I04 bad pool config is code 7 naming the key and value, and nothing is reserved', dualStack, async (t, node) => {
  const pod = await node.pod();
  const badPools = [{ metadata: { name: 'bad' }, spec: { ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10', '10.0.0.300'], default: true } }];
  const outcome = await node.chain('ADD', { containerID: containerId(), netns: pod.path, conflist: node.conflist('1.0.0', { pools: badPools, poolFile: `${node.dir}/none.json` }) });
  t.deepEqual(outcome, { ok: false, error: { code: 7, msg: 'ipam.pools[0].spec.ips[1]: "10.0.0.300" is not an IPv4 or IPv6 address, range "a-b" or CIDR' } });
  t.deepEqual((await node.store()).allocations, []);
});

ipamTest('C-I05 unknown ipam key is code 2 naming it', dualStack, async (t, node) => {
  const result = await node.ipam('ADD', { containerID: containerId(), netns: '/var/run/netns/x', ifname: 'eth0', stdin: node.ipamConf('1.0.0', { pool: 'typo' }) });
  t.is(result.exitCode, 1);
  t.like(result.json, { cniVersion: '1.0.0', code: 2, msg: 'ipam: unsupported key "pool"' });
  t.is(result.stderr.includes('at '), false, 'no stack trace');
});

const tiny: PoolInput = { name: 'tiny', spec: { ipVersion: 4, subnet: '10.67.0.0/24', ips: ['10.67.0.10-10.67.0.11'], default: true } };
ipamTest('C-I06 an exhausted pool is code 100 and leaves nothing reserved', [tiny], async (t, node) => {
  const pods = [await node.pod(), await node.pod(), await node.pod()];
  const outcomes = [];
  for (const pod of pods) outcomes.push(await node.chain('ADD', { containerID: containerId(), netns: pod.path }));
  t.true(outcomes[0]?.ok && outcomes[1]?.ok);
  t.deepEqual(outcomes[2], { ok: false, error: { code: 100, msg: 'pool "tiny" is exhausted (2 of 2 addresses allocated)' } });
  // Debian's macvlan 1.1.1 leaves its link behind when IPAM fails (a shadowed err); the
  // runtime's DEL after a failed ADD, as containerd sends it, removes it.
  t.deepEqual(await node.chain('DEL', { containerID: 'unused', netns: pods[2]!.path }), { ok: true });
  t.is((await node.store()).allocations.length, 2);
});

ipamTest('C-I07 DEL after the pod netns is gone succeeds and releases the addresses', dualStack, async (t, node) => {
  const pod = await node.pod();
  const call = { containerID: containerId(), netns: pod.path };
  t.true((await node.chain('ADD', call)).ok);
  await deleteNetns(pod.name);
  t.deepEqual(await node.chain('DEL', call), { ok: true });
  t.deepEqual((await node.store()).allocations, []);
});

ipamTest('C-I08 runtimeConfig.ips (capability "ips") gets exactly the requested address; a held one is code 102', dualStack, async (t, node) => {
  const conflist = node.conflist('1.0.0', {}, { capabilities: { ips: true } });
  const [podA, podB] = [await node.pod(), await node.pod()];
  const holder = containerId();
  const a = await node.chain('ADD', { containerID: holder, netns: podA.path, conflist, capabilityArgs: { ips: ['10.66.0.33/24'] } });
  if (!a.ok) return t.fail(JSON.stringify(a.error));
  t.deepEqual(resultAddresses(a.result), ['10.66.0.33', 'fd00:66::10']);
  const b = await node.chain('ADD', { containerID: containerId(), netns: podB.path, conflist, capabilityArgs: { ips: ['10.66.0.33'] } });
  t.deepEqual(b, { ok: false, error: { code: 102, msg: `runtimeConfig.ips: "10.66.0.33" is already held by container ${holder} eth0` } });
});

const fixed: PoolInput = { name: 'sts', spec: { ipVersion: 4, subnet: '10.68.0.0/24', ips: ['10.68.0.10-10.68.0.50'], fixedIPs: true, default: true } };
ipamTest('C-I09 a pod re-created under the same name gets its previous address back from a fixedIPs pool', [fixed], async (t, node) => {
  // As containerd and Multus do: reference plugins reject unknown CNI_ARGS otherwise.
  const args = (name: string) => [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'db'], ['K8S_POD_NAME', name]] as const;
  const pod = await node.pod();
  const first = { containerID: containerId(), netns: pod.path, args: args('db-0') };
  const a = await node.chain('ADD', first);
  const other = await node.chain('ADD', { containerID: containerId(), netns: (await node.pod()).path, args: args('db-1') });
  t.true(other.ok, JSON.stringify(other));
  t.deepEqual(await node.chain('DEL', first), { ok: true });
  const again = await node.chain('ADD', { containerID: containerId(), netns: (await node.pod()).path, args: args('db-0') });
  if (!a.ok || !again.ok) return t.fail('ADD failed');
  t.deepEqual(resultAddresses(again.result), resultAddresses(a.result));
  t.deepEqual(resultAddresses(again.result), ['10.68.0.10']);
});

ipamTest('C-I10 GC (1.1.0) releases this network\'s attachments missing from cni.dev/valid-attachments, and only those', dualStack, async (t, node) => {
  const ids = [containerId(), containerId(), containerId()];
  for (const id of ids) t.is((await node.ipam('ADD', { containerID: id, netns: '/var/run/netns/x', ifname: 'eth0', stdin: node.ipamConf() })).exitCode, 0);
  const other = { ...node.ipamConf(), name: 'other-net' };
  t.is((await node.ipam('ADD', { containerID: 'other', netns: '/var/run/netns/x', ifname: 'eth0', stdin: other })).exitCode, 0);
  const gc = await node.ipam('GC', { stdin: { ...node.ipamConf(), 'cni.dev/valid-attachments': [{ containerID: ids[1], ifname: 'eth0' }] } });
  t.is(gc.exitCode, 0, gc.stdout);
  const left = (await node.store()).allocations.map((a) => a.containerID).sort();
  t.deepEqual(left, [ids[1]!, ids[1]!, 'other', 'other'].sort());
});

const single: PoolInput = { name: 'one', spec: { ipVersion: 4, subnet: '10.69.0.0/30', ips: ['10.69.0.1'], default: true } };
ipamTest('C-I11 STATUS is 0 while a pool can allocate and 50 once every pool is exhausted', [single], async (t, node) => {
  t.is((await node.ipam('STATUS', { stdin: node.ipamConf() })).exitCode, 0);
  t.is((await node.ipam('ADD', { containerID: containerId(), netns: '/var/run/netns/x', ifname: 'eth0', stdin: node.ipamConf() })).exitCode, 0);
  const status = await node.ipam('STATUS', { stdin: node.ipamConf() });
  t.is(status.exitCode, 1);
  t.like(status.json, { code: 50, msg: 'every pool of network "' + node.network + '" is exhausted: one' });
});

ipamTest('C-I12 VERSION lists every supported version', dualStack, async (t, node) => {
  const version = await node.ipam('VERSION', { stdin: { cniVersion: '1.1.0' } });
  t.deepEqual(version.json, { cniVersion: '1.1.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
});

ipamTest('C-I13 CHECK fails with code 103 when prevResult has an extra, unreserved address or a wrong prefix', dualStack, async (t, node) => {
  const call = { containerID: containerId(), netns: '/var/run/netns/unused', ifname: 'net1' };
  const added = await node.ipam('ADD', { ...call, stdin: node.ipamConf('1.1.0') });
  t.is(added.exitCode, 0, added.stdout + added.stderr);
  const ips = (added.json as { ips: { address: string }[] }).ips;
  const check = (prevIps: { address: string }[]) => node.ipam('CHECK', { ...call, stdin: { ...node.ipamConf('1.1.0'), prevResult: { ...(added.json as object), ips: prevIps } } });
  const extra = await check([...ips, { address: '10.66.0.33/24' }]);
  t.is(extra.exitCode, 1, extra.stdout);
  t.like(extra.json, { code: 103 });
  t.regex((extra.json as { msg: string }).msg, /does not hold 10\.66\.0\.33\/24 of prevResult\.ips/);
  const wrongPrefix = await check(ips.map((ip) => ({ ...ip, address: ip.address.replace('/24', '/16') })));
  t.is(wrongPrefix.exitCode, 1, wrongPrefix.stdout);
  t.like(wrongPrefix.json, { code: 103 });
  t.regex((wrongPrefix.json as { msg: string }).msg, /holds 10\.66\.0\.10\/24, absent from prevResult\.ips; does not hold 10\.66\.0\.10\/16/);
  t.is((await check(ips)).exitCode, 0, 'the exact addresses pass');
});
