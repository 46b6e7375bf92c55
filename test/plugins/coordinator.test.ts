// nicpool-coordinator in the routing lab: the veth pod⇄node, with nicpool-router after it —
// the full chain of design §1. Needs root.
import type { ExecutionContext } from 'ava';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from '../support/test.ts';
import { assertRoot, deleteNetns, ipJson, Lab, linkExists } from '../support/netns.ts';
import { pings, tcpExchange } from '../support/probes.ts';
import { buildRoutingLab, loadTopology, type ChainOptions, type RoutingLab } from '../support/routing-lab.ts';
import { hostVethName } from '../../routing/plan/veth-identity.ts';
import { runChain } from '../support/cni-runner.ts';

const topology = loadTopology();
const fullChain: ChainOptions = { coordinator: { serviceCidrs: topology.node.serviceCidrs } };
const twoNics = { eth0: 'A', net1: 'B' };

async function routingLab(t: ExecutionContext): Promise<RoutingLab> {
  assertRoot('coordinator.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  return buildRoutingLab(lab);
}

test('K-01 the pod reaches every node IP and a Service IP over the veth (TCP, IPv4 and IPv6)', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics, fullChain);
  const targets = [...topology.node.nics.flatMap((nic) => [nic.ipv4, nic.ipv6]), topology.node.serviceIps.ipv4, topology.node.serviceIps.ipv6];
  for (const ip of targets) t.true(await tcpExchange(lab.node.name, pod.netns.name, ip), `pod → ${ip}`);
});

test('K-02 the node reaches every pod address (ping and TCP), though macvlan hides the pod from its parent', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics, fullChain);
  for (const ip of Object.values(pod.addresses).flatMap((a) => [a.ipv4, a.ipv6])) {
    t.true(await pings(lab.node.name, ip), `node ping ${ip}`);
    t.true(await tcpExchange(pod.netns.name, lab.node.name, ip), `node TCP ${ip}`);
  }
});

test('K-03 with the full chain the client still reaches both pod addresses (the router and the coordinator agree)', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics, fullChain);
  for (const ip of Object.values(pod.addresses).flatMap((a) => [a.ipv4, a.ipv6])) t.true(await pings(lab.client.name, ip), `client → ${ip}`);
});

test('K-04 the result is prevResult plus the node end of the veth, with no sandbox', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', { eth0: 'A' }, fullChain);
  const result = (pod.outcomes.eth0!.ok ? pod.outcomes.eth0!.result : {}) as { interfaces: Array<{ name: string; sandbox?: string }> };
  const host = hostVethName(pod.containerID);
  t.deepEqual(result.interfaces.map((iface) => [iface.name, iface.sandbox !== undefined]), [['eth0', true], [host, false]]);
});

test('K-05 CHECK passes after ADD and names a missing node route; DEL removes the veth, the node routes and rule, the pod rules; DEL again succeeds', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics, fullChain);
  const checked = await lab.check(pod, fullChain);
  t.true(checked.every((outcome) => outcome.ok), JSON.stringify(checked));
  const host = hostVethName(pod.containerID);
  await ipJson(lab.node.name, ['route', 'del', `${pod.addresses.net1!.ipv4}/32`, 'table', '500']);
  const drift = await lab.check(pod, fullChain);
  t.deepEqual(drift.map((outcome) => (outcome.ok ? 'ok' : outcome.error.msg)), ['ok', `net1: missing node route ${pod.addresses.net1!.ipv4}/32 dev ${host} table 500`]);

  t.true((await lab.detach(pod, fullChain)).every((outcome) => outcome.ok));
  t.false(await linkExists(lab.node.name, host));
  t.false(await linkExists(pod.netns.name, 'veth-node'));
  const nodeRules = (await ipJson(lab.node.name, ['-4', 'rule', 'show'])) as Array<{ table?: string }>;
  t.false(nodeRules.some((rule) => rule.table === '500'), 'node rule removed with the last pod');
  const podRules = (await ipJson(pod.netns.name, ['-4', 'rule', 'show'])) as Array<{ priority: number }>;
  t.false(podRules.some((rule) => rule.priority === 900 || rule.priority === 1000), 'pod rules removed');
  t.true((await lab.detach(pod, fullChain)).every((outcome) => outcome.ok), 'second DEL');
});

test('K-06 an address already answered for on the network fails ADD with code 110 and leaves no veth behind', async (t) => {
  const lab = await routingLab(t);
  // Someone else (the router) already holds the address the pool hands out first.
  await ipJson(lab.router.name, ['addr', 'add', '10.10.0.100/24', 'dev', 'r-A']);
  const error = await lab.attach('web-0', { eth0: 'A' }, { coordinator: { detectIPConflict: true } }).catch((thrown: unknown) => thrown as Error);
  t.regex(String(error), /"code":110,"msg":"eth0: 10\.10\.0\.100 is already in use on the network/);
  const links = (await ipJson(lab.node.name, ['link', 'show'])) as Array<{ ifname: string }>;
  t.false(links.some((link) => /^np[0-9a-f]{8}$/.test(link.ifname)), 'no veth left on the node');
});

test('K-07 a gateway that does not answer fails ADD with code 111', async (t) => {
  const lab = await routingLab(t);
  await ipJson(lab.router.name, ['link', 'set', 'r-A', 'down']);
  const error = await lab.attach('web-0', { eth0: 'A' }, { coordinator: { detectGateway: true } }).catch((thrown: unknown) => thrown as Error);
  t.regex(String(error), /"code":111,"msg":"eth0: gateway 10\.10\.0\.1 does not answer"/);
});

test('K-08 DEL of the full chain after the pod netns is gone succeeds and leaves nothing on the node', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics, fullChain);
  await deleteNetns(pod.netns.name);
  const outcomes = await lab.detach(pod, fullChain);
  t.true(outcomes.every((outcome) => outcome.ok), JSON.stringify(outcomes));
  t.false(await linkExists(lab.node.name, hostVethName(pod.containerID)));
  const rules = [...((await ipJson(lab.node.name, ['-4', 'rule', 'show'])) as Array<{ table?: string }>), ...((await ipJson(lab.node.name, ['-6', 'rule', 'show'])) as Array<{ table?: string }>)];
  t.false(rules.some((rule) => rule.table === '500'));
});

test('K-09 macPrefix gives the NIC a MAC of the prefix and its IPv4\'s last bytes', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', { eth0: 'A' }, { coordinator: { macPrefix: '0e:01' } });
  const [link] = (await ipJson(pod.netns.name, ['link', 'show', 'dev', 'eth0'])) as Array<{ address: string }>;
  t.is(link?.address, '0e:01:0a:0a:00:64'); // 10.10.0.100
  t.true(await pings(lab.client.name, pod.addresses.eth0!.ipv4), 'reachable under its new MAC');
});

test('K-10 overlapping DELs (two pods whose netns are gone, one pod twice) all succeed; the node rule goes with the last pod, and a pod ADDed while another is DELeted keeps it', async (t) => {
  const lab = await routingLab(t);
  const nodeRule500 = async () => [...((await ipJson(lab.node.name, ['-4', 'rule', 'show'])) as Array<{ table?: string }>), ...((await ipJson(lab.node.name, ['-6', 'rule', 'show'])) as Array<{ table?: string }>)].filter((rule) => rule.table === '500').length;
  for (let round = 0; round < 3; round += 1) {
    // The kernel removes their veths with their namespaces: every DEL finds its veth and routes gone.
    const [a, b] = [await lab.attach(`gone-a${round}`, { eth0: 'A' }, fullChain), await lab.attach(`gone-b${round}`, { eth0: 'A' }, fullChain)];
    await deleteNetns(a.netns.name);
    await deleteNetns(b.netns.name);
    const outcomes = (await Promise.all([lab.detach(a, fullChain), lab.detach(b, fullChain), lab.detach(b, fullChain)])).flat();
    t.true(outcomes.every((outcome) => outcome.ok), `round ${round}: ${JSON.stringify(outcomes)}`);
    t.is(await nodeRule500(), 0, `round ${round}: the node rule left with the last pod`);

    // The last pod leaves while a new one comes: the new one must keep the rule.
    const last = await lab.attach(`last-${round}`, { eth0: 'A' }, fullChain);
    const [left, next] = await Promise.all([lab.detach(last, fullChain), lab.attach(`next-${round}`, { eth0: 'A' }, fullChain)]);
    t.true(left.every((outcome) => outcome.ok), JSON.stringify(left));
    const checked = await lab.check(next, fullChain);
    t.true(checked.every((outcome) => outcome.ok), `round ${round}: ${JSON.stringify(checked)}`);
    t.true((await lab.detach(next, fullChain)).every((outcome) => outcome.ok));
  }
});

test('K-11 a node-side veth name taken by another link (a hash collision): ADD picks another name, and neither its rollback nor DEL touches the other link', async (t) => {
  const lab = await routingLab(t);
  const containerID = 'clash-0123456789';
  const taken = hostVethName(containerID);
  // Another pod's veth, as far as the node can tell: a link of that name.
  await ipJson(lab.node.name, ['link', 'add', taken, 'type', 'veth', 'peer', 'name', 'clashpeer']);
  const pod = await lab.attach('clash-ns', {}, fullChain); // only its netns
  const call = { conflist: lab.conflist('A', fullChain), containerID, netns: pod.netns.path, ifname: 'eth0', cacheDir: path.join(tmpdir(), `np-clash-${process.pid}`), runnerNetns: lab.node.name, args: [['IgnoreUnknown', '1']] as const };
  t.teardown(() => rm(call.cacheDir, { recursive: true, force: true }));
  const added = await runChain('ADD', call);
  t.true(added.ok, JSON.stringify(added));
  const host = ((added.ok ? added.result : {}) as { interfaces?: Array<{ name: string; sandbox?: string }> }).interfaces?.find((iface) => iface.sandbox === undefined)?.name;
  t.truthy(host);
  t.not(host, taken, 'another name');
  t.true(await linkExists(lab.node.name, taken), 'the other link is left alone by ADD');
  const checked = await runChain('CHECK', call);
  t.true(checked.ok, JSON.stringify(checked));
  const deleted = await runChain('DEL', call);
  t.true(deleted.ok, JSON.stringify(deleted));
  t.false(await linkExists(lab.node.name, host!), 'DEL removed its own veth');
  t.true(await linkExists(lab.node.name, taken), 'and not the other link');
});

test('K-12 a failed ADD (code 111) undoes everything it made: no veth, no pod hijack rules, no node routes or rule; only the NIC of the chain is left', async (t) => {
  assertRoot('coordinator.test.ts');
  const base = new Lab();
  t.teardown(() => base.cleanup());
  const lab = await buildRoutingLab(base);
  const pod = await base.netns('lab-pod');
  const cacheDir = path.join(tmpdir(), `nicpool-k12-${process.pid}-${Date.now()}`);
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }));
  await ipJson(lab.router.name, ['link', 'set', 'r-A', 'down']);
  const containerID = `k12-${Date.now()}`;
  const outcome = await runChain('ADD', {
    conflist: lab.conflist('A', { coordinator: { ...fullChain.coordinator, detectGateway: true } }),
    containerID, netns: pod.path, ifname: 'eth0', cacheDir, runnerNetns: lab.node.name,
    args: [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'lab'], ['K8S_POD_NAME', 'k12']],
  });
  t.like(outcome, { ok: false, error: { code: 111 } });
  t.false(await linkExists(pod.name, 'veth-node'), 'no pod end of the veth');
  t.false(await linkExists(lab.node.name, hostVethName(containerID)), 'no node end of the veth');
  for (const family of ['-4', '-6']) {
    const podRules = (await ipJson(pod.name, [family, 'rule', 'show'])) as Array<{ priority?: number }>;
    t.deepEqual(podRules.filter((rule) => rule.priority === 900), [], `pod ${family} hijack rules`);
    const nodeRules = (await ipJson(lab.node.name, [family, 'rule', 'show'])) as Array<{ table?: string }>;
    t.false(nodeRules.some((rule) => rule.table === '500'), `node ${family} rule of table 500`);
    const nodeRoutes = (await ipJson(lab.node.name, [family, 'route', 'show', 'table', '500'])) as unknown[];
    t.deepEqual(nodeRoutes, [], `node ${family} routes of table 500`);
  }
  t.true(await linkExists(pod.name, 'eth0'), 'the NIC of the chain stays for the runtime\'s DEL');
});
