// GC scenarios (design §5) with real processes: the HTTP test API server (a test double), real
// nicpool-agent processes per simulated node, a real nicpool-controller, and the built
// nicpool-ipam exec'd as the runtime would. Each ends with the invariants of design §4.
import test from '../support/test.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { mapWithLimit } from '../../ipam/concurrency/map-with-limit.ts';
import type { AgentProcess } from '../ipam/agent/agent-support.ts';
import { withDeadline } from '../support/deadline.ts';
import { assertInvariants } from '../support/gc-invariants.ts';
import { pool, simCluster, type SimCluster, type SimPod } from '../support/k8s-cluster.ts';

const poolSpec = (ips: string) => ({ ipVersion: 4, subnet: '10.82.0.0/24', ips: [ips], default: true });
const heldBy = (cluster: SimCluster, pod: SimPod) => cluster.held().find((h) => h.entry.podUID === pod.uid);
const ipOf = (cluster: SimCluster, pod: SimPod) => heldBy(cluster, pod)?.ip;
const freed = (cluster: SimCluster, pods: SimPod[]) =>
  cluster.until(
    'ipblocks.nicpool.io',
    () => cluster.held(),
    (held) => !held.some((h) => pods.some((pod) => pod.uid === h.entry.podUID)),
    `the addresses of ${pods.map((pod) => pod.name).join(', ')} to be freed`,
  );
const msgOf = (result: { json?: unknown }) => (result.json as { msg?: string } | undefined)?.msg ?? '';

/** Flags that make the controller serve /metrics on a free port (see passAfterNow). */
const withMetrics = ['--metrics-address', '127.0.0.1:0'];

/**
 * Resolves once a GC pass has started after this call (passes run one at a time, so the pass
 * in flight, if any, is over): what a controller decides "from now on" has then been decided
 * at least once. Needs a controller started with `withMetrics` and a short --scan-interval.
 */
async function passAfterNow(controller: AgentProcess): Promise<void> {
  const port = /metrics on 127\.0\.0\.1:(\d+)/.exec(controller.stdout())?.[1];
  if (port === undefined) throw new Error(`the controller serves no metrics: ${controller.stdout()}`);
  const scans = async () => Number(/^nicpool_gc_scans_total (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1]);
  const before = await scans();
  let last = before;
  const later = (async () => {
    while ((last = await scans()) <= before) await delay(100);
  })();
  await withDeadline(later, { what: `a GC pass to start after pass ${before}`, lastSeen: () => `${last} passes` });
}

/** Whether every release the controller logged came after it logged that it leads. */
function actedOnlyWhileLeading(controller: AgentProcess): boolean {
  const log = controller.stderr();
  const released = log.indexOf('released ');
  return released < 0 || (log.indexOf('leading') >= 0 && log.indexOf('leading') < released);
}

async function addAll(cluster: SimCluster, pods: SimPod[], tag = 'a'): Promise<void> {
  const results = await mapWithLimit(pods, 10, (pod) => cluster.addAsKubelet(pod, { containerID: `${tag}-${pod.name}` }));
  const failed = results.filter((result) => result.exitCode !== 0).map((result) => result.stdout);
  if (failed.length > 0) throw new Error(`ADD failed: ${failed.slice(0, 3).join('; ')}`);
}

test('Z-01 DEL lost, pod deleted: its address is freed (pod-deleted), other pods keep theirs', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '0']);
  const pods = ['p1', 'p2', 'p3'].map((name) => cluster.addPod({ name, node: 'node-1' }));
  await addAll(cluster, pods);
  cluster.removePod(pods[0]!);
  await freed(cluster, [pods[0]!]);
  await controller.logged(/released 10\.82\.0\.\d+ \(pool z\) of pod default\/p1 .*: pod-deleted/);
  t.truthy(ipOf(cluster, pods[1]!), 'p2 holds an address');
  t.truthy(ipOf(cluster, pods[2]!), 'p3 holds an address');
  await assertInvariants(t, cluster);
});

test('Z-02 an allocation younger than the grace is never freed; it is once it comes of age, without waiting for the scan interval', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '3', '--scan-interval', '600']);
  const pod = cluster.addPod({ name: 'young', node: 'node-1' });
  await addAll(cluster, [pod]);
  const allocatedAt = Date.parse(cluster.held()[0]!.entry.at);
  cluster.removePod(pod);
  await freed(cluster, [pod]);
  const freedAfterMs = Date.now() - allocatedAt;
  t.true(freedAfterMs >= 3000, `freed ${freedAfterMs} ms after allocation (grace 3 s)`);
  t.true(freedAfterMs < 300_000, 'freed when it came of age, long before the 600 s scan');
  await controller.logged(/of pod default\/young .*: pod-deleted/);
  await assertInvariants(t, cluster);
});

/** A node cut off (its agent killed, Ready Unknown) whose pods, and a Ready node's, are deleted and stay Terminating. */
async function cutOffNode(t: import('ava').ExecutionContext, controllerArgs: string[]) {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  const lostAgent = await cluster.startAgent('node-lost');
  await cluster.startAgent('node-ok');
  const controller = await cluster.startController(['--allocation-grace', '0', '--terminating-margin', '1', '--scan-interval', '1', ...withMetrics, ...controllerArgs]);
  const lost = ['l1', 'l2', 'l3'].map((name) => cluster.addPod({ name, node: 'node-lost' }));
  const ok = ['k1', 'k2'].map((name) => cluster.addPod({ name, node: 'node-ok' }));
  await addAll(cluster, [...lost, ...ok]);

  lostAgent.signal('SIGKILL');
  const core = cluster.api.kubeConfig().makeApiClient(CoreV1Api);
  await core.replaceNodeStatus({ name: 'node-lost', body: { metadata: { name: 'node-lost' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } } });
  const deleted = Date.now();
  // Deleted with a 1 s grace period: no kubelet answers, so they stay Terminating.
  for (const pod of [...lost, ...ok]) await core.deleteNamespacedPod({ namespace: pod.namespace, name: pod.name, gracePeriodSeconds: 1 });
  /** The Ready node's pods: kept, then freed by their kubelet's DELs. */
  const endWithReadyNode = async () => {
    t.true(ok.every((pod) => ipOf(cluster, pod) !== undefined), 'a Ready node will run the DELs itself');
    cluster.api.finishGracefulDeletions(new Date(Date.now() + 60_000));
    for (const pod of ok) t.is((await cluster.ipam('DEL', pod, { containerID: `a-${pod.name}` })).exitCode, 0);
    await assertInvariants(t, cluster);
  };
  return { cluster, controller, core, lost, deleted, endWithReadyNode };
}

test('Z-03 node cut off (NotReady), its pods stuck Terminating: kept by default (they may still run); once the node is tainted out-of-service, freed after deletion time + margin (node-lost); a Ready node\'s Terminating pods are not', async (t) => {
  const { cluster, controller, core, lost, deleted, endWithReadyNode } = await cutOffNode(t, []);
  // Past deletion time (grace 1 s, whole seconds) + margin (1 s), a pass decides: kept.
  await delay(Math.max(0, deleted + 3000 - Date.now()));
  await passAfterNow(controller);
  t.true(lost.every((pod) => ipOf(cluster, pod) !== undefined), 'NotReady alone: the pods may still run, cut off from the API server only');
  t.notRegex(controller.stderr(), /node-lost/);

  const node = await core.readNode({ name: 'node-lost' });
  await core.replaceNode({ name: 'node-lost', body: { ...node, spec: { ...node.spec, taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } } });
  await freed(cluster, lost);
  await controller.logged(/(: node-lost\n[\s\S]*){3}/);
  await endWithReadyNode();
});

test('Z-14 with --release-on-node-lost, NotReady is enough: a cut-off node\'s Terminating pods are freed after deletion time + margin (node-lost)', async (t) => {
  const { cluster, controller, lost, deleted, endWithReadyNode } = await cutOffNode(t, ['--release-on-node-lost']);
  await freed(cluster, lost);
  // Deletion timestamps have whole seconds, as in Kubernetes: up to 1 s of the grace may be cut.
  t.true(Date.now() - deleted >= 1000, 'not before deletion time (grace 1 s) + margin (1 s)');
  await controller.logged(/(: node-lost\n[\s\S]*){3}/);
  await endWithReadyNode();
});

test('Z-04 same name re-created: the old pod\'s address is freed (pod-recreated); a StatefulSet pod\'s is kept and taken back', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  cluster.seed('statefulsets.apps', { metadata: { name: 'db', namespace: 'default' }, spec: { replicas: 1, selector: {}, template: {} } });
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '0']);
  const web = cluster.addPod({ name: 'web-7f9c-abcde', node: 'node-1', owner: { kind: 'ReplicaSet', name: 'web-7f9c' } });
  const db = cluster.addPod({ name: 'db-0', node: 'node-1', owner: { kind: 'StatefulSet', name: 'db' } });
  await addAll(cluster, [web, db]);
  const dbIp = ipOf(cluster, db);
  // Both deleted without DEL and re-created under the same names, not yet started.
  for (const pod of [db, web]) cluster.removePod(pod);
  const web2 = cluster.addPod({ name: web.name, node: 'node-1', owner: { kind: 'ReplicaSet', name: 'web-7f9c' } });
  const db2 = cluster.addPod({ name: 'db-0', node: 'node-1', owner: { kind: 'StatefulSet', name: 'db' } });
  await freed(cluster, [web]);
  await controller.logged(/of pod default\/web-7f9c-abcde .*: pod-(recreated|deleted)/);
  t.is(ipOf(cluster, db), dbIp, 'the StatefulSet still wants db-0: kept');
  // With grace 0 an ADD of db-0 caught between its block and Endpoint writes may be released
  // (no-endpoint) and retried (design §8.8); what must never happen is the keep rule failing.
  t.notRegex(controller.stderr(), /of pod default\/db-0 .*: pod-(recreated|deleted)/);
  await addAll(cluster, [web2, db2], 'b');
  t.is(ipOf(cluster, db2), dbIp, 'the new db-0 takes its address back');
  await assertInvariants(t, cluster);
});

test('Z-05 GC racing 100 concurrent ADDs (scans every second, short grace): zero duplicates, every new pod keeps its address, the zombies go', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  await Promise.all(['node-1', 'node-2'].map((node) => cluster.startAgent(node)));
  const zombies = Array.from({ length: 20 }, (_, i) => cluster.addPod({ name: `zombie-${i}`, node: `node-${1 + (i % 2)}` }));
  await addAll(cluster, zombies);
  const controller = await cluster.startController(['--allocation-grace', '2', '--scan-interval', '1']);
  cluster.api.faults.latencyMs = 10;
  for (const pod of zombies) cluster.removePod(pod);
  const fresh = Array.from({ length: 100 }, (_, i) => cluster.addPod({ name: `new-${i}`, node: `node-${1 + (i % 2)}` }));
  await addAll(cluster, fresh);
  await freed(cluster, zombies);
  cluster.api.faults.latencyMs = 0;
  t.is(new Set(fresh.map((pod) => ipOf(cluster, pod))).size, 100, 'each new pod holds its own address');
  await controller.logged(/(: pod-deleted\n[\s\S]*){20}/);
  // An ADD slower than the grace may lose its address before its Endpoint (no-endpoint), be
  // answered code 11 and retried: safe. Any other reason would be a live pod's address freed.
  t.notRegex(controller.stderr(), /of pod default\/new-\S+ .*: (?!no-endpoint)/);
  await assertInvariants(t, cluster);
});

test('Z-06 a pool sized 1:1 survives delete-all-and-recreate with 10% of the DELs lost', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.49')));
  await Promise.all(['node-1', 'node-2'].map((node) => cluster.startAgent(node)));
  await cluster.startController(['--allocation-grace', '1']);
  const first = Array.from({ length: 40 }, (_, i) => cluster.addPod({ name: `app-${i}`, node: `node-${1 + (i % 2)}` }));
  await addAll(cluster, first);
  // Every pod deleted; the runtime's DEL is lost for one in ten.
  await mapWithLimit(first, 10, async (pod, i) => {
    if (i % 10 !== 0) t.is((await cluster.ipam('DEL', pod, { containerID: `a-${pod.name}` })).exitCode, 0);
    cluster.removePod(pod);
  });
  const second = Array.from({ length: 40 }, (_, i) => cluster.addPod({ name: `app2-${i}`, node: `node-${1 + (i % 2)}` }));
  // As the kubelet does: a failed ADD is retried (here: after the next IPBlock change).
  let retries = 0;
  await mapWithLimit(second, 10, async (pod) => {
    for (let attempt = 1; ; attempt++) {
      const add = await cluster.ipam('ADD', pod, { containerID: `b${attempt}-${pod.name}` });
      if (add.exitCode === 0) return;
      t.like(add.json, { code: 100 }, add.stdout);
      retries++;
      await cluster.ipam('DEL', pod, { containerID: `b${attempt}-${pod.name}` });
      await cluster.until('ipblocks.nicpool.io', () => cluster.held().length, (n) => n < 40, 'a free address in the pool (GC freeing a zombie)');
      if (attempt > 50) throw new Error(`${pod.name}: no address after 50 attempts`);
    }
  });
  t.log(`${retries} ADDs answered "pool exhausted" until GC freed the 4 zombies`);
  t.is(cluster.held().length, 40);
  t.true(second.every((pod) => ipOf(cluster, pod) !== undefined));
  await assertInvariants(t, cluster);
});

test('Z-07 two controllers with leader election: exactly one acts at a time; the leader killed, the other takes over and frees what the first did not', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  cluster.seed('namespaces', { metadata: { name: 'nicpool-system' } });
  await cluster.startAgent('node-1');
  // 15 s: a lease a loaded machine renews in time (either may lead; which one is not the point).
  const election = ['--leader-elect', '--lease-namespace', 'nicpool-system', '--lease-duration', '15', '--allocation-grace', '0'];
  const controllers = new Map([
    ['one', await cluster.startController([...election, '--identity', 'one'])],
    ['two', await cluster.startController([...election, '--identity', 'two'])],
  ]);
  const lease = () => cluster.api.objects.get('leases.coordination.k8s.io', 'nicpool-controller', 'nicpool-system') as unknown as { spec: { holderIdentity: string; leaseTransitions: number } } | undefined;
  const holder = () => lease()?.spec.holderIdentity;
  await cluster.until('leases.coordination.k8s.io', holder, (identity) => identity === 'one' || identity === 'two', 'a controller to hold the Lease');
  const [a, b] = ['a', 'b'].map((name) => cluster.addPod({ name, node: 'node-1' }));
  await addAll(cluster, [a!, b!]);
  cluster.removePod(a!);
  await freed(cluster, [a!]);
  const releasedA = () => [...controllers].filter(([, controller]) => /of pod default\/a /.test(controller.stderr())).map(([identity]) => identity);
  await withDeadline(Promise.any([...controllers.values()].map((controller) => controller.logged(/of pod default\/a /))), { what: 'a controller to log the release of a', lastSeen: releasedA });
  t.is(releasedA().length, 1, `exactly one controller released a (${releasedA().join(', ')})`);
  t.true([...controllers.values()].every(actedOnlyWhileLeading), 'no controller released anything before it led');

  const leader = holder()!;
  const survivor = leader === 'one' ? 'two' : 'one';
  controllers.get(leader)!.signal('SIGKILL');
  await controllers.get(survivor)!.logged(/leading/);
  cluster.removePod(b!);
  await freed(cluster, [b!]);
  await controllers.get(survivor)!.logged(/of pod default\/b .*: pod-deleted/);
  t.notRegex(controllers.get(leader)!.stderr(), /of pod default\/b /, 'the killed leader did not act');
  t.true(actedOnlyWhileLeading(controllers.get(survivor)!));
  t.is(holder(), survivor);
  t.true(lease()!.spec.leaseTransitions >= 2, `the Lease moved at least once (${lease()!.spec.leaseTransitions} transitions)`);
  await assertInvariants(t, cluster);
});

test('Z-08 pool counters: allocatedIPCount and totalIPCount follow the blocks', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.19')));
  await cluster.startAgent('node-1');
  await cluster.startController(['--allocation-grace', '0']);
  const status = () => (cluster.api.objects.get('ippools.nicpool.io', 'z') as unknown as { status?: { allocatedIPCount?: number; totalIPCount?: number } }).status;
  const pods = ['c1', 'c2', 'c3'].map((name) => cluster.addPod({ name, node: 'node-1' }));
  await addAll(cluster, pods);
  t.deepEqual(await cluster.until('ippools.nicpool.io', status, (s) => s?.allocatedIPCount === 3, 'allocatedIPCount 3'), { allocatedIPCount: 3, totalIPCount: 10 });
  await cluster.ipam('DEL', pods[0]!, { containerID: `a-${pods[0]!.name}` });
  t.deepEqual(await cluster.until('ippools.nicpool.io', status, (s) => s?.allocatedIPCount === 2, 'allocatedIPCount 2 after a DEL'), { allocatedIPCount: 2, totalIPCount: 10 });
  await assertInvariants(t, cluster);
});

test('Z-11 a ReservedIP made after the fact reports the pod still holding its address, and nobody gets it once freed', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  await cluster.startAgent('node-1');
  await cluster.startController(['--allocation-grace', '0']);
  const holder = cluster.addPod({ name: 'holder', node: 'node-1' });
  await addAll(cluster, [holder]);
  const ip = ipOf(cluster, holder)!;
  cluster.seed('reservedips.nicpool.io', { metadata: { name: 'firewall' }, spec: { ipVersion: 4, ips: [ip] } });
  const status = () => (cluster.api.objects.get('reservedips.nicpool.io', 'firewall') as unknown as { status?: { holders?: unknown[] } }).status;
  t.deepEqual(await cluster.until('reservedips.nicpool.io', status, (s) => (s?.holders?.length ?? 0) > 0, 'the ReservedIP to report its holder'), { holders: [{ ip, namespace: 'default', name: 'holder' }] });
  await cluster.ipam('DEL', holder, { containerID: `a-${holder.name}` });
  t.deepEqual(await cluster.until('reservedips.nicpool.io', status, (s) => s?.holders?.length === 0, 'the ReservedIP to report no holder after the DEL'), { holders: [] });
  // Asked for by name, it is refused: reserved.
  const next = cluster.addPod({ name: 'next', node: 'node-1' });
  const asked = await cluster.ipam('ADD', next, { containerID: 'a-next', args: `IP=${ip}` });
  t.like(asked.json, { code: 102 });
  t.regex((asked.json as { msg: string }).msg, /is reserved by a ReservedIP/);
  await assertInvariants(t, cluster);
});

test('Z-12 GC frees the address of an ADD stalled between its IPBlock write and its Endpoint write: the ADD answers code 11, never success, and undoes its Endpoint; the next pod gets the address alone', async (t) => {
  const cluster = await simCluster(t);
  // One address: the next pod can only get the one taken back.
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.10')));
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '0']);
  const [p, q] = ['p', 'q'].map((name) => cluster.addPod({ name, node: 'node-1' }));
  const stalled = cluster.api.faults.holdNext(1, { resource: 'endpoints.nicpool.io', verb: 'create' });
  t.teardown(() => stalled.release());
  const addP = cluster.ipam('ADD', p!, { containerID: 'a-p' });
  await withDeadline(stalled.caught, { what: "p's ADD to reach its Endpoint write" });
  t.like(heldBy(cluster, p!), { ip: '10.82.0.10', entry: { pending: true } }, 'taken, not yet confirmed');
  // With no grace, GC sees a live pod without an Endpoint: as if the ADD had died. (The stall
  // ends as soon as it did: the agent's Endpoint write times out after 10 s.)
  await freed(cluster, [p!]);
  stalled.release();
  const answer = await addP;
  t.like(answer.json, { code: 11 }, answer.stdout);
  t.regex(msgOf(answer), /address 10\.82\.0\.10 \(pool z\) was released while this ADD was in flight; try again later/);
  await controller.logged(/released 10\.82\.0\.10 \(pool z\) of pod default\/p .*: no-endpoint/);
  t.is(cluster.api.objects.get('endpoints.nicpool.io', 'p', 'default'), undefined, "p's Endpoint NIC is undone");
  const addQ = await cluster.ipam('ADD', q!, { containerID: 'a-q' });
  t.is(addQ.exitCode, 0, addQ.stdout);
  t.like(heldBy(cluster, q!), { ip: '10.82.0.10', entry: { containerID: 'a-q' } });
  t.is(heldBy(cluster, q!)?.entry.pending, undefined, "q's address is confirmed");
  // The runtime retries p's ADD: the pool is full now, and says so.
  t.like((await cluster.ipam('ADD', p!, { containerID: 'a-p' })).json, { code: 100 });
  await assertInvariants(t, cluster);
});

test('Z-13 a GC release decided while an ADD had no Endpoint yet, written after the ADD confirmed: refused (409), decided again, and the address stays with the pod', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', poolSpec('10.82.0.10-10.82.0.200')));
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '0', '--scan-interval', '1', ...withMetrics]);
  const p = cluster.addPod({ name: 'p', node: 'node-1' });
  const stalled = cluster.api.faults.holdNext(1, { resource: 'endpoints.nicpool.io', verb: 'create' });
  t.teardown(() => stalled.release());
  const addP = cluster.ipam('ADD', p, { containerID: 'a-p' });
  await withDeadline(stalled.caught, { what: "p's ADD to reach its Endpoint write" });
  // The agent waits on its Endpoint write: the next IPBlock write is the controller's release.
  const release = cluster.api.faults.holdNext(1, { resource: 'ipblocks.nicpool.io', verb: 'update' });
  t.teardown(() => release.release());
  await withDeadline(release.caught, { what: "the controller's release of p's address (no Endpoint yet)" });
  stalled.release();
  const answer = await addP;
  t.is(answer.exitCode, 0, answer.stdout);
  const ip = (answer.json as { ips: { address: string }[] }).ips[0]!.address.split('/')[0];
  release.release();
  // Whatever the controller decides on a read made after its stale write, it has decided it.
  await passAfterNow(controller);
  t.like(heldBy(cluster, p), { ip, entry: { containerID: 'a-p' } }, 'p keeps the address its ADD answered');
  t.is(heldBy(cluster, p)?.entry.pending, undefined, 'confirmed');
  t.notRegex(controller.stderr(), /of pod default\/p /);
  t.true((cluster.api.metrics.responses.get(409) ?? 0) >= 1, "the controller's stale write was refused");
  await assertInvariants(t, cluster);
});
