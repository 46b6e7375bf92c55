// Fault hooks as the client sees them: latency, 409 storms, 5xx, being down;
// and the request/409 counters the benchmark reports.
import test from '../../support/test.ts';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { POOLS, apiFailure, asObj, setup, watch } from './helpers.ts';

const pool = { metadata: { name: 'pool-a' }, spec: { n: 0 } };

test('A-24 latencyMs delays every answer', async (t) => {
  const { core, api } = await setup(t);
  api.faults.latencyMs = 150;
  const start = performance.now();
  await core.readNamespace({ name: 'default' });
  // Timers may fire up to ~1ms early; 145 leaves room without hiding a miss.
  t.true(performance.now() - start >= 145);
});

test('A-25 conflictNextWrites(n): a 409 storm on updates, then success; reads are not affected', async (t) => {
  const { custom, api } = await setup(t);
  await custom.createClusterCustomObject({ ...POOLS, body: pool });
  api.faults.conflictNextWrites(3, { resource: 'ippools.nicpool.io' });
  let attempts = 0;
  for (;;) {
    attempts++;
    const cur = asObj(await custom.getClusterCustomObject({ ...POOLS, name: 'pool-a' }));
    try {
      await custom.replaceClusterCustomObject({ ...POOLS, name: 'pool-a', body: { ...cur, spec: { n: attempts } } });
      break;
    } catch (err) {
      const s = await apiFailure(Promise.reject(err));
      t.like(s, { code: 409, reason: 'Conflict', details: { name: 'pool-a' } });
    }
  }
  t.is(attempts, 4);
  t.is(api.metrics.conflicts, 3);
  t.deepEqual(api.objects.get('ippools.nicpool.io', 'pool-a')?.['spec'], { n: 4 });
});

test('A-26 failNext(n, 500) fails the next n requests with an InternalError Status, then they succeed', async (t) => {
  const { core, api } = await setup(t);
  api.faults.failNext(2, 500);
  t.like(await apiFailure(core.readNamespace({ name: 'default' })), { code: 500, reason: 'InternalError' });
  t.like(await apiFailure(core.listNamespace()), { code: 500, reason: 'InternalError' });
  t.is((await core.readNamespace({ name: 'default' })).metadata?.name, 'default');
  api.faults.failNext(1, 503, { resource: 'pods' });
  await core.readNamespace({ name: 'default' }); // other resources pass
  t.like(await apiFailure(core.listNamespacedPod({ namespace: 'default' })), { code: 503, reason: 'ServiceUnavailable' });
});

test('A-32 failNext with a verb filter fails only that verb: reads pass, the create fails', async (t) => {
  const { core, api } = await setup(t);
  api.faults.failNext(1, 500, { resource: 'pods', verb: 'create' });
  t.deepEqual((await core.listNamespacedPod({ namespace: 'default' })).items, []);
  const body = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  t.like(await apiFailure(core.createNamespacedPod({ namespace: 'default', body })), { code: 500 });
  t.is((await core.createNamespacedPod({ namespace: 'default', body })).metadata?.name, 'p');
});

// undici's fetch fails with TypeError('fetch failed') and the socket error as cause.
const connectionError = z.object({ cause: z.object({ code: z.enum(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']) }) });

test('A-27 down() refuses connections and breaks open watches; up() serves again on the same URL', async (t) => {
  const { core, kc, api } = await setup(t);
  const w = await watch(kc, '/api/v1/namespaces/default/pods', {});
  await api.faults.down();
  t.not(await w.ended(), null, 'an open watch ends with an error');
  const err: unknown = await core.readNamespace({ name: 'default' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.true(connectionError.safeParse(err).success, `connection error, got ${String(err)}`);
  await api.faults.up();
  t.is((await core.readNamespace({ name: 'default' })).metadata?.name, 'default');
});

test('A-28 metrics count requests by verb and resource, and every 409 sent', async (t) => {
  const { core, custom, api } = await setup(t);
  await custom.createClusterCustomObject({ ...POOLS, body: pool });
  await apiFailure(custom.createClusterCustomObject({ ...POOLS, body: pool }));
  await custom.getClusterCustomObject({ ...POOLS, name: 'pool-a' });
  await core.listPodForAllNamespaces();
  t.is(api.metrics.count('create', 'ippools.nicpool.io'), 2);
  t.is(api.metrics.count('get', 'ippools.nicpool.io'), 1);
  t.is(api.metrics.count('list', 'pods'), 1);
  t.is(api.metrics.total, 4);
  t.is(api.metrics.conflicts, 1);
  api.metrics.reset();
  t.is(api.metrics.total, 0);
});
