// The agent on the Kubernetes store when things go wrong: the API server down or failing,
// 409 storms, the agent killed mid-burst, a graceful stop. Real agent processes on the HTTP
// test API server (a test double), driven through the built nicpool-ipam.
import test from '../../support/test.ts';
import { mapWithLimit } from '../../../ipam/concurrency/map-with-limit.ts';
import { pool, simCluster, type SimCluster, type SimPod } from '../../support/k8s-cluster.ts';

const poolA = pool('a', { ipVersion: 4, subnet: '10.81.0.0/23', ips: ['10.81.0.10-10.81.1.250'], default: true });
const msgOf = (result: { json?: unknown }) => (result.json as { msg?: string } | undefined)?.msg ?? '';

/** No address held twice, and the holders are exactly `pods`, one address each. */
function assertOneAddressPerPod(t: import('ava').ExecutionContext, cluster: SimCluster, pods: SimPod[]): void {
  const held = cluster.held();
  t.is(new Set(held.map((h) => h.ip)).size, held.length, 'no address held twice');
  t.deepEqual(held.map((h) => h.entry.podUID).sort(), pods.map((pod) => pod.uid).sort(), 'one address per live pod, none for any other');
}

test('G-F01 with the API server down ADD is code 11; once it is back the same ADD succeeds and holds one address', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', poolA);
  await cluster.startAgent('node-1');
  const pod = cluster.addPod({ name: 'p', node: 'node-1' });
  await cluster.api.faults.down();
  const refused = await cluster.ipam('ADD', pod, { containerID: 'c1' });
  t.is(refused.exitCode, 1);
  t.like(refused.json, { code: 11 });
  t.regex(msgOf(refused), /unreachable .*try again later/);
  await cluster.api.faults.up();
  const add = await cluster.ipam('ADD', pod, { containerID: 'c1' });
  t.is(add.exitCode, 0, add.stdout);
  assertOneAddressPerPod(t, cluster, [pod]);
});

test('G-F02 500s from the API server are code 11, and leave nothing half-written', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', poolA);
  await cluster.startAgent('node-1');
  const pod = cluster.addPod({ name: 'p', node: 'node-1' });
  // Every request of the first ADD, reads and writes alike, fails.
  cluster.api.faults.failNext(1_000, 500);
  const refused = await cluster.ipam('ADD', pod, { containerID: 'c1' });
  t.like(refused.json, { code: 11 });
  t.regex(msgOf(refused), /answered 500/);
  cluster.api.faults.reset();
  // A write that fails half-way: the block is taken, the Endpoint write fails; ADD rolls back.
  const blockWritten = cluster.created('ipblocks.nicpool.io', 1);
  cluster.api.faults.failNext(1, 500, { resource: 'endpoints.nicpool.io', verb: 'create' });
  t.like((await cluster.ipam('ADD', pod, { containerID: 'c1' })).json, { code: 11 });
  await blockWritten;
  t.is(cluster.api.metrics.count('update', 'ipblocks.nicpool.io'), 2, 'the address was taken, then given back');
  t.deepEqual(cluster.held(), [], 'nothing held after the failed Endpoint write');
  const add = await cluster.ipam('ADD', pod, { containerID: 'c1' });
  t.is(add.exitCode, 0, add.stdout);
  assertOneAddressPerPod(t, cluster, [pod]);
});

test('G-F03 a 409 storm is ridden out with retries and counted in /metrics; one beyond the bound is code 11', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', poolA);
  const agent = await cluster.startAgent('node-1', ['--metrics-address', '127.0.0.1:0']);
  const port = /metrics on 127\.0\.0\.1:(\d+)/.exec(agent.stdout())?.[1];
  t.truthy(port, agent.stdout());
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const [p1, p2, p3] = ['p1', 'p2', 'p3'].map((name) => cluster.addPod({ name, node: 'node-1' }));

  cluster.api.faults.conflictNextWrites(5, { resource: 'ipblocks.nicpool.io' });
  t.is((await cluster.ipam('ADD', p1!, { containerID: 'c1' })).exitCode, 0);
  t.is(cluster.api.metrics.conflicts, 5);
  cluster.api.faults.conflictNextWrites(100, { resource: 'ipblocks.nicpool.io' });
  const refused = await cluster.ipam('ADD', p2!, { containerID: 'c2' });
  t.like(refused.json, { code: 11 });
  t.regex(msgOf(refused), /pool contention on block a-/);
  cluster.api.faults.reset();
  t.is((await cluster.ipam('ADD', p3!, { containerID: 'c3' })).exitCode, 0);
  assertOneAddressPerPod(t, cluster, [p1!, p3!]);

  const text = await scrape();
  t.regex(text, /^nicpool_ipblock_conflicts_total 21$/m, '5 + 16 lost races');
  t.regex(text, /^nicpool_allocation_duration_seconds_count\{outcome="ok"\} 2$/m);
  t.regex(text, /^nicpool_allocation_duration_seconds_count\{outcome="error"\} 1$/m);
  t.regex(text, /^nicpool_cni_requests_total\{command="ADD",code="11"\} 1$/m);
  t.regex(text, /^nicpool_pool_allocated_ips\{pool="a"\} 2$/m);
  t.regex(text, /^nicpool_pool_total_ips\{pool="a"\} 497$/m);
});

test('G-F04 an agent killed with -9 mid-burst, restarted: no duplicate, and no leak once reconciled and the runtime retried', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', poolA);
  const first = await cluster.startAgent('node-1');
  const pods = Array.from({ length: 120 }, (_, i) => cluster.addPod({ name: `p${i}`, node: 'node-1' }));
  const fortyEndpoints = cluster.created('endpoints.nicpool.io', 40);
  // agentWaitMs 0: an ADD that finds the agent dead fails at once, as the runtime sees a kill.
  const burst = mapWithLimit(pods, 10, (pod) => cluster.ipam('ADD', pod, { containerID: `a-${pod.name}`, ipam: { agentWaitMs: 0 } }));
  await fortyEndpoints;
  first.signal('SIGKILL');
  const results = await burst;
  const failed = pods.filter((_, i) => results[i]!.exitCode !== 0);
  t.true(failed.length > 0, 'the kill cut some ADDs short');
  for (const [i, result] of results.entries()) if (result.exitCode !== 0) t.like(result.json, { code: 11 }, `${pods[i]!.name}: ${result.stdout}`);

  // While the agent is down, 10 pods that got their address are deleted: no DEL ever comes.
  const deleted = pods.filter((_, i) => results[i]!.exitCode === 0).slice(0, 10);
  for (const pod of deleted) cluster.removePod(pod);
  const second = await cluster.startAgent('node-1');
  t.regex(second.stderr(), /reconcile: released/);

  // The runtime's answer to a failed ADD: DEL that sandbox, then ADD a new one.
  await mapWithLimit(failed, 10, async (pod) => {
    t.is((await cluster.ipam('DEL', pod, { containerID: `a-${pod.name}` })).exitCode, 0);
    const retry = await cluster.ipam('ADD', pod, { containerID: `b-${pod.name}` });
    t.is(retry.exitCode, 0, retry.stdout);
  });
  const live = pods.filter((pod) => !deleted.includes(pod));
  assertOneAddressPerPod(t, cluster, live);
  t.is(cluster.api.objects.list('endpoints.nicpool.io').length, live.length);
});

test('G-F05 SIGTERM lets an ADD in flight finish with its Endpoint written, then the agent exits', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', poolA);
  const agent = await cluster.startAgent('node-1');
  const pod = cluster.addPod({ name: 'p', node: 'node-1' });
  cluster.api.faults.latencyMs = 200;
  const blockCreated = cluster.created('ipblocks.nicpool.io', 1);
  const add = cluster.ipam('ADD', pod, { containerID: 'c1' });
  await blockCreated;
  agent.signal('SIGTERM');
  const result = await add;
  t.is(result.exitCode, 0, result.stdout);
  t.is(await agent.exited(), 0);
  t.regex(agent.stderr(), /SIGTERM: no new requests[\s\S]*ADD c1\/eth0 200[\s\S]*stopped/);
  assertOneAddressPerPod(t, cluster, [pod]);
  t.truthy(cluster.api.objects.get('endpoints.nicpool.io', 'p', 'default'));
  const after = await cluster.ipam('ADD', cluster.addPod({ name: 'q', node: 'node-1' }), { containerID: 'c2', ipam: { agentWaitMs: 0 } });
  t.like(after.json, { code: 11 });
});
