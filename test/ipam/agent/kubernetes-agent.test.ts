// The agent on the Kubernetes store: real agent processes on the HTTP test API server (a
// test double), driven through the built nicpool-ipam, as the runtime would.
import test from '../../support/test.ts';
import path from 'node:path';
import { askAgent } from '../../../ipam/cni/agent-transport.ts';
import { repoRoot } from '../../support/cni-runner.ts';
import { execPlugin } from '../../support/exec-plugin.ts';
import { pool, simCluster, type SimPod } from '../../support/k8s-cluster.ts';

const routerPlugin = path.join(repoRoot, 'dist', 'plugins', 'nicpool-router');

const poolA = pool('a', { ipVersion: 4, subnet: '10.70.0.0/16', ips: ['10.70.0.10-10.70.3.250'], gateway: '10.70.0.1', default: true });

test('G-K01 ADD gives an address from the pool, recorded in its IPBlock and the pod Endpoint; repeated ADD returns it again', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', poolA);
  await cluster.startAgent('node-1');
  const pod = cluster.addPod({ name: 'web-1', node: 'node-1' });
  const first = await cluster.ipam('ADD', pod, { containerID: 'c1' });
  t.is(first.exitCode, 0, first.stderr + first.stdout);
  const ip = (first.json as { ips: { address: string }[] }).ips[0]!.address;
  t.regex(ip, /^10\.70\.\d+\.\d+\/16$/);
  const held = cluster.held();
  t.is(held.length, 1);
  t.is(`${held[0]!.ip}/16`, ip);
  t.like(held[0]!.entry, { podUID: pod.uid, namespace: 'default', name: 'web-1', containerID: 'c1', ifname: 'eth0', node: 'node-1' });
  const endpoint = cluster.api.objects.get('endpoints.nicpool.io', 'web-1', 'default') as unknown as { spec: { podUID: string; nics: unknown[] } };
  t.is(endpoint.spec.podUID, pod.uid);
  t.deepEqual(endpoint.spec.nics, [{ interface: 'eth0', containerID: 'c1', ipv4: held[0]!.ip, ipv4Pool: 'a' }]);
  const again = await cluster.ipam('ADD', pod, { containerID: 'c1' });
  t.deepEqual(again.json, first.json);
  t.is(cluster.held().length, 1);
});

const addressOf = (result: { json?: unknown }) => (result.json as { ips?: { address: string }[] } | undefined)?.ips?.map((ip) => ip.address.split('/')[0]);
const small = pool('small', { ipVersion: 4, subnet: '10.71.0.0/24', ips: ['10.71.0.10-10.71.0.19'], gateway: '10.71.0.1', default: true });

test('G-K02 a StatefulSet pod keeps its address across delete and re-create while its ordinal is wanted; scaled down, DEL frees it', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  cluster.seed('statefulsets.apps', { metadata: { name: 'db', namespace: 'default' }, spec: { replicas: 2, selector: {}, template: {} } });
  await cluster.startAgent('node-1');
  const first = cluster.addPod({ name: 'db-1', node: 'node-1', owner: { kind: 'StatefulSet', name: 'db' } });
  const ip = addressOf(await cluster.ipam('ADD', first, { containerID: 'c1' }));
  t.deepEqual(ip, ['10.71.0.10']);
  // Another pod takes the next address meanwhile, so reuse is not luck of the lowest free one.
  await cluster.ipam('ADD', cluster.addPod({ name: 'other', node: 'node-1' }), { containerID: 'o1' });

  t.is((await cluster.ipam('DEL', first, { containerID: 'c1' })).exitCode, 0);
  t.true(cluster.held().some((held) => held.ip === '10.71.0.10'), 'kept for the StatefulSet after DEL');
  cluster.removePod(first);
  const again = cluster.addPod({ name: 'db-1', node: 'node-1', owner: { kind: 'StatefulSet', name: 'db' } });
  t.not(again.uid, first.uid);
  t.deepEqual(addressOf(await cluster.ipam('ADD', again, { containerID: 'c2' })), ip);
  t.like(cluster.held().find((held) => held.ip === '10.71.0.10')?.entry, { podUID: again.uid, containerID: 'c2' });

  cluster.api.objects.forceDelete('statefulsets.apps', 'db', 'default');
  cluster.seed('statefulsets.apps', { metadata: { name: 'db', namespace: 'default' }, spec: { replicas: 1, selector: {}, template: {} } });
  t.is((await cluster.ipam('DEL', again, { containerID: 'c2' })).exitCode, 0);
  t.false(cluster.held().some((held) => held.ip === '10.71.0.10'), 'ordinal 1 is no longer wanted: freed');
  t.is(cluster.api.objects.get('endpoints.nicpool.io', 'db-1', 'default'), undefined);
});

test('G-K03 a Deployment pod re-created under its name (DEL lost) gets a new address and the old one is freed', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  await cluster.startAgent('node-1');
  const owner = { kind: 'ReplicaSet', name: 'web-5d8f' };
  const first = cluster.addPod({ name: 'web-5d8f-abcde', node: 'node-1', owner });
  const old = addressOf(await cluster.ipam('ADD', first, { containerID: 'c1' }));
  cluster.removePod(first);
  const again = cluster.addPod({ name: 'web-5d8f-abcde', node: 'node-1', owner });
  const fresh = addressOf(await cluster.ipam('ADD', again, { containerID: 'c2' }));
  t.notDeepEqual(fresh, old);
  t.deepEqual(cluster.held().map((held) => [held.ip, held.entry.podUID]), [[fresh![0], again.uid]]);
});

test('G-K04 a new sandbox of the same pod (same UID) takes the address over from the old one', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  await cluster.startAgent('node-1');
  const pod = cluster.addPod({ name: 'p', node: 'node-1' });
  const first = addressOf(await cluster.ipam('ADD', pod, { containerID: 'sandbox1' }));
  const second = addressOf(await cluster.ipam('ADD', pod, { containerID: 'sandbox2' }));
  t.deepEqual(second, first);
  t.deepEqual(cluster.held().map((held) => held.entry.containerID), ['sandbox2']);
  // The old sandbox's late DEL must not free the address the new one now holds.
  t.is((await cluster.ipam('DEL', pod, { containerID: 'sandbox1' })).exitCode, 0);
  t.deepEqual(cluster.held().map((held) => held.entry.containerID), ['sandbox2']);
});

test('G-K05 pod and namespace annotations choose the pools, per NIC; a malformed one is code 7 naming it', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  cluster.seed('ippools.nicpool.io', pool('b', { ipVersion: 4, subnet: '10.72.0.0/24', ips: ['10.72.0.10-10.72.0.20'] }));
  cluster.seed('ippools.nicpool.io', pool('c', { ipVersion: 4, subnet: '10.73.0.0/24', ips: ['10.73.0.10-10.73.0.20'] }));
  cluster.seed('namespaces', { metadata: { name: 'team', annotations: { 'ipam.nicpool.io/default-ipv4-ippool': '["c"]' } } });
  await cluster.startAgent('node-1');
  const pod = cluster.addPod({
    name: 'multi',
    node: 'node-1',
    annotations: { 'ipam.nicpool.io/ippool': '{"ipv4":["b"]}', 'ipam.nicpool.io/ippools': '[{"interface":"net1","ipv4":["c"]}]' },
  });
  t.deepEqual(addressOf(await cluster.ipam('ADD', pod, { containerID: 'c1', ifname: 'eth0' })), ['10.72.0.10']);
  t.deepEqual(addressOf(await cluster.ipam('ADD', pod, { containerID: 'c1', ifname: 'net1' })), ['10.73.0.10']);
  const inTeam = cluster.addPod({ name: 'plain', namespace: 'team', node: 'node-1' });
  t.deepEqual(addressOf(await cluster.ipam('ADD', inTeam, { containerID: 'c2' })), ['10.73.0.11']);
  const bad = cluster.addPod({ name: 'bad', node: 'node-1', annotations: { 'ipam.nicpool.io/ippool': '{"ipv4":"b"}' } });
  const refused = await cluster.ipam('ADD', bad, { containerID: 'c3' });
  t.like(refused.json, { code: 7 });
  t.regex((refused.json as { msg: string }).msg, /^annotation ipam\.nicpool\.io\/ippool\.ipv4: .*expected array.*"b"/);
});

test('G-K06 node, namespace and pod affinities match the real labels of the node, namespace and pod', async (t) => {
  const cluster = await simCluster(t);
  const selector = (labels: Record<string, string>) => ({ matchLabels: labels });
  cluster.seed('ippools.nicpool.io', pool('zone-a', { ipVersion: 4, subnet: '10.74.0.0/24', ips: ['10.74.0.10-10.74.0.20'], nodeAffinity: selector({ zone: 'a' }) }));
  cluster.seed('ippools.nicpool.io', pool('zone-b', { ipVersion: 4, subnet: '10.75.0.0/24', ips: ['10.75.0.10-10.75.0.20'], nodeAffinity: selector({ zone: 'b' }) }));
  cluster.seed('ippools.nicpool.io', pool('gold', { ipVersion: 4, subnet: '10.76.0.0/24', ips: ['10.76.0.10-10.76.0.20'], podAffinity: selector({ tier: 'gold' }), namespaceAffinity: selector({ env: 'prod' }) }));
  cluster.seed('nodes', { metadata: { name: 'node-b', labels: { zone: 'b' } } });
  cluster.seed('namespaces', { metadata: { name: 'prod', labels: { env: 'prod' } } });
  await cluster.startAgent('node-b');
  const zoned = cluster.addPod({ name: 'z', node: 'node-b', annotations: { 'ipam.nicpool.io/ippool': '{"ipv4":["zone-a","zone-b"]}' } });
  t.deepEqual(addressOf(await cluster.ipam('ADD', zoned, { containerID: 'c1' })), ['10.75.0.10']);

  const gold = { 'ipam.nicpool.io/ippool': '{"ipv4":["gold"]}' };
  const golden = cluster.addPod({ name: 'g', namespace: 'prod', node: 'node-b', labels: { tier: 'gold' }, annotations: gold });
  t.deepEqual(addressOf(await cluster.ipam('ADD', golden, { containerID: 'c2' })), ['10.76.0.10']);
  const plain = cluster.addPod({ name: 'p', namespace: 'prod', node: 'node-b', annotations: gold });
  const refused = await cluster.ipam('ADD', plain, { containerID: 'c3' });
  t.like(refused.json, { code: 101 });
  t.regex((refused.json as { msg: string }).msg, /pool "gold": podAffinity does not match/);
  const elsewhere = cluster.addPod({ name: 'g2', node: 'node-b', labels: { tier: 'gold' }, annotations: gold });
  t.regex(((await cluster.ipam('ADD', elsewhere, { containerID: 'c4' })).json as { msg: string }).msg, /namespaceAffinity does not match namespace "default"/);
});

test('G-K07 addresses of ReservedIP objects are never handed out', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  cluster.seed('reservedips.nicpool.io', { metadata: { name: 'fw' }, spec: { ipVersion: 4, ips: ['10.71.0.10-10.71.0.11', '10.71.0.13'] } });
  await cluster.startAgent('node-1');
  const got = [];
  for (const name of ['r1', 'r2', 'r3']) got.push(addressOf(await cluster.ipam('ADD', cluster.addPod({ name, node: 'node-1' }), { containerID: name }))![0]);
  t.deepEqual(got, ['10.71.0.12', '10.71.0.14', '10.71.0.15']);
  const asked = await cluster.ipam('ADD', cluster.addPod({ name: 'r4', node: 'node-1' }), { containerID: 'r4', args: 'IP=10.71.0.13' });
  t.like(asked.json, { code: 102 });
});

test('G-K08 dual stack: one address per family; when one family is exhausted the other is rolled back', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('v4', { ipVersion: 4, subnet: '10.77.0.0/24', ips: ['10.77.0.10'], default: true }));
  cluster.seed('ippools.nicpool.io', pool('v6', { ipVersion: 6, subnet: 'fd00:77::/64', ips: ['fd00:77::10-fd00:77::ffff'], default: true }));
  await cluster.startAgent('node-1');
  const first = await cluster.ipam('ADD', cluster.addPod({ name: 'd1', node: 'node-1' }), { containerID: 'd1' });
  // Each node starts in its own block (hash of its name), so the IPv6 address is any of the pool's.
  const [v4, v6] = addressOf(first) ?? [];
  t.is(v4, '10.77.0.10');
  t.regex(v6 ?? '', /^fd00:77::[0-9a-f]{1,4}$/);
  const second = await cluster.ipam('ADD', cluster.addPod({ name: 'd2', node: 'node-1' }), { containerID: 'd2' });
  t.like(second.json, { code: 100 });
  t.deepEqual(cluster.held().map((held) => held.entry.containerID).sort(), ['d1', 'd1']);
});

test('G-K09 CNI GC frees this network\'s attachments on this node that the runtime no longer lists', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  await cluster.startAgent('node-1');
  const keep = cluster.addPod({ name: 'keep', node: 'node-1' });
  const gone = cluster.addPod({ name: 'gone', node: 'node-1' });
  await cluster.ipam('ADD', keep, { containerID: 'k1' });
  await cluster.ipam('ADD', gone, { containerID: 'g1' });
  const gc = await cluster.ipam('GC', keep, { containerID: 'k1', conf: { cniVersion: '1.1.0', 'cni.dev/valid-attachments': [{ containerID: 'k1', ifname: 'eth0' }] } });
  t.is(gc.exitCode, 0, gc.stdout);
  t.deepEqual(cluster.held().map((held) => held.entry.containerID), ['k1']);
});

test('G-K10 a netconf for the local store, sent to a Kubernetes agent, is code 7 naming ipam.store', async (t) => {
  const cluster = await simCluster(t);
  await cluster.startAgent('node-1');
  const add = await cluster.ipam('ADD', cluster.addPod({ name: 'x', node: 'node-1' }), { containerID: 'x', ipam: { store: 'local' } });
  t.like(add.json, { code: 7 });
  t.regex((add.json as { msg: string }).msg, /^ipam\.store: "local" is not served by this nicpool-agent/);
});

test('G-K11 the agent tells nicpool-router the pod\'s default-route NIC from its annotation; a malformed one is code 7 in the router', async (t) => {
  const cluster = await simCluster(t);
  await cluster.startAgent('node-1');
  const annotated = cluster.addPod({ name: 'two-nics', node: 'node-1', annotations: { 'ipam.nicpool.io/default-route-nic': 'net1' } });
  const plain = cluster.addPod({ name: 'plain', node: 'node-1' });
  const bad = cluster.addPod({ name: 'bad', node: 'node-1', annotations: { 'ipam.nicpool.io/default-route-nic': 'net/1' } });
  const ask = async (pod: { namespace: string; name: string }) =>
    askAgent(cluster.socketOf('node-1'), 'GET', `/v1/pod-routing?namespace=${pod.namespace}&name=${pod.name}`, undefined, 5000);
  t.deepEqual(await ask(annotated), { status: 200, json: { defaultRouteNic: 'net1' } });
  t.deepEqual(await ask(plain), { status: 200, json: {} });
  t.like(await ask(bad), { status: 400, json: { code: 7 } });

  // The router asks the agent before it plans: CHECK of a NIC without addresses plans nothing
  // and touches no netns, so this runs without root.
  const routerCheck = (pod: SimPod) =>
    execPlugin(routerPlugin, {
      command: 'CHECK',
      containerID: 'c1',
      netns: '/var/run/netns/none',
      ifname: 'net1',
      args: `K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name}`,
      stdin: { cniVersion: '1.0.0', name: 'net', type: 'nicpool-router', agentSocket: cluster.socketOf('node-1'), prevResult: { cniVersion: '1.0.0', ips: [] } },
    });
  t.is((await routerCheck(annotated)).exitCode, 0);
  const refused = await routerCheck(bad);
  t.like(refused.json, { code: 7 });
  t.regex((refused.json as { msg: string }).msg, /^annotation ipam\.nicpool\.io\/default-route-nic: "net\/1" is not a valid interface name/);
});

test('G-K12 two overlapping pools stored past the webhook are both set aside: other pools keep allocating, DEL still frees, ADD naming one is code 101 naming the overlap', async (t) => {
  const cluster = await simCluster(t);
  const x = pool('x', { ipVersion: 4, subnet: '10.77.0.0/24', ips: ['10.77.0.10-10.77.0.20'] });
  const unrelated = pool('u', { ipVersion: 4, subnet: '10.78.0.0/24', ips: ['10.78.0.10-10.78.0.20'], default: true });
  cluster.seed('ippools.nicpool.io', x);
  cluster.seed('ippools.nicpool.io', unrelated);
  const agent = await cluster.startAgent('node-1');
  const inX = cluster.addPod({ name: 'in-x', node: 'node-1', annotations: { 'ipam.nicpool.io/ippool': '{"ipv4":["x"]}' } });
  t.deepEqual(addressOf(await cluster.ipam('ADD', inX, { containerID: 'c1' })), ['10.77.0.10']);

  // Created at the same moment as x, so the webhook judged each alone: seeded directly.
  cluster.seed('ippools.nicpool.io', pool('y', { ipVersion: 4, subnet: '10.77.0.0/24', ips: ['10.77.0.15-10.77.0.30'] }));
  await agent.logged(/IPPool x set aside: it overlaps pool "y" at 10\.77\.0\.15-10\.77\.0\.20/);
  await agent.logged(/IPPool y set aside: it overlaps pool "x" at 10\.77\.0\.15-10\.77\.0\.20/);

  const plain = cluster.addPod({ name: 'plain', node: 'node-1' });
  const fromU = await cluster.ipam('ADD', plain, { containerID: 'c2' });
  t.is(fromU.exitCode, 0, fromU.stderr + fromU.stdout);
  t.deepEqual(addressOf(fromU), ['10.78.0.10']);
  t.is((await cluster.ipam('DEL', plain, { containerID: 'c2' })).exitCode, 0);

  const asksY = cluster.addPod({ name: 'asks-y', node: 'node-1', annotations: { 'ipam.nicpool.io/ippool': '{"ipv4":["y"]}' } });
  const refused = await cluster.ipam('ADD', asksY, { containerID: 'c3' });
  t.like(refused.json, { code: 101 });
  t.regex((refused.json as { msg: string }).msg, /pool "y": set aside: it overlaps pool "x" at 10\.77\.0\.15-10\.77\.0\.20/);
  t.is(refused.stdout.includes('    at '), false, 'no stack trace');

  // The pod that took its address from x before the conflict can still let it go.
  const del = await cluster.ipam('DEL', inX, { containerID: 'c1' });
  t.is(del.exitCode, 0, del.stderr + del.stdout);
  t.deepEqual(cluster.held(), []);
  t.is(cluster.api.objects.get('endpoints.nicpool.io', 'in-x', 'default'), undefined);
});

test('G-K13 an empty K8S_POD_UID (runtimes other than the kubelet) is no UID: the pod is found by namespace/name', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', small);
  await cluster.startAgent('node-1');
  const pod = cluster.addPod({ name: 'no-uid', node: 'node-1' });
  const add = await cluster.ipam('ADD', { ...pod, uid: '' }, { containerID: 'c1' });
  t.is(add.exitCode, 0, add.stderr + add.stdout);
  t.deepEqual(addressOf(add), ['10.71.0.10']);
  t.like(cluster.held()[0]?.entry, { podUID: pod.uid, containerID: 'c1' });
  t.is((await cluster.ipam('DEL', { ...pod, uid: '' }, { containerID: 'c1' })).exitCode, 0);
  t.deepEqual(cluster.held(), []);
});
