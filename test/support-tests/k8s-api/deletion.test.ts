// Graceful deletion and finalizers: DELETE marks, the "kubelet" hook or the
// last finalizer's removal actually removes.
import test from '../../support/test.ts';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { POOLS, apiFailure, asObj, setup, watch } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const scheduled = (name: string, extra: Partial<V1Pod['metadata']> = {}): V1Pod => ({
  metadata: { name, ...extra },
  spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [] },
});

test('A-19 deleting a scheduled pod uses terminationGracePeriodSeconds; finishGracefulDeletions removes it after expiry', async (t) => {
  let now = new Date('2026-01-01T00:00:00Z');
  const { core, kc, api } = await setup(t, { now: () => now });
  const created = await core.createNamespacedPod({ namespace: 'default', body: scheduled('p1') });
  const w = await watch(kc, '/api/v1/namespaces/default/pods', { resourceVersion: created.metadata?.resourceVersion ?? '' });
  t.teardown(() => w.abort());
  const marked = await core.deleteNamespacedPod({ name: 'p1', namespace: 'default' });
  t.is(marked.metadata?.deletionGracePeriodSeconds, 30);
  t.deepEqual(marked.metadata?.deletionTimestamp, new Date('2026-01-01T00:00:30Z'));
  t.truthy(await core.readNamespacedPod({ name: 'p1', namespace: 'default' }), 'still there while terminating');
  t.is(api.finishGracefulDeletions(new Date('2026-01-01T00:00:29Z')), 0);
  now = new Date('2026-01-01T00:00:30Z');
  t.is(api.finishGracefulDeletions(), 1);
  t.is((await apiFailure(core.readNamespacedPod({ name: 'p1', namespace: 'default' }))).code, 404);
  t.deepEqual((await w.take(2)).map((e) => e.type), ['MODIFIED', 'DELETED']);
});

test('A-20 an explicit gracePeriodSeconds wins; 0 deletes a scheduled pod at once', async (t) => {
  const { core, api } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: scheduled('p1') });
  const marked = await core.deleteNamespacedPod({ name: 'p1', namespace: 'default', gracePeriodSeconds: 5 });
  t.is(marked.metadata?.deletionGracePeriodSeconds, 5);
  await core.deleteNamespacedPod({ name: 'p1', namespace: 'default', body: { gracePeriodSeconds: 0 } });
  t.is(api.objects.get('pods', 'p1', 'default'), undefined);
});

test('A-21 a pod with a finalizer outlives its grace period until the finalizer is removed', async (t) => {
  const { core, api } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: scheduled('p1', { finalizers: ['nicpool.io/ip'] }) });
  await core.deleteNamespacedPod({ name: 'p1', namespace: 'default', gracePeriodSeconds: 1 });
  t.is(api.finishGracefulDeletions(new Date(Date.now() + 60_000)), 0);
  const held = api.objects.get('pods', 'p1', 'default');
  t.is(held?.metadata.deletionGracePeriodSeconds, 0, 'grace finished, held only by the finalizer');
  await core.patchNamespacedPod({ name: 'p1', namespace: 'default', body: { metadata: { finalizers: null } } }, mergePatch);
  t.is(api.objects.get('pods', 'p1', 'default'), undefined);
});

test('A-22 a custom object with a finalizer gets a deletionTimestamp and goes when an update drops the finalizer', async (t) => {
  const { custom, api } = await setup(t);
  await custom.createClusterCustomObject({ ...POOLS, body: { metadata: { name: 'pool-a', finalizers: ['nicpool.io/in-use'] }, spec: {} } });
  await custom.deleteClusterCustomObject({ ...POOLS, name: 'pool-a' });
  const terminating = asObj(await custom.getClusterCustomObject({ ...POOLS, name: 'pool-a' }));
  t.truthy(terminating.metadata.deletionTimestamp);
  const replaced = asObj(
    await custom.replaceClusterCustomObject({ ...POOLS, name: 'pool-a', body: { ...terminating, metadata: { ...terminating.metadata, finalizers: [] } } }),
  );
  t.truthy(replaced.metadata.deletionTimestamp);
  t.is(api.objects.get('ippools.nicpool.io', 'pool-a'), undefined);
});

test('A-23 forceDelete removes regardless of finalizers; delete preconditions are checked', async (t) => {
  const { core, api } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: scheduled('p1', { finalizers: ['x'] }) });
  const bad = await apiFailure(core.deleteNamespacedPod({ name: 'p1', namespace: 'default', body: { preconditions: { uid: 'not-it' } } }));
  t.like(bad, { code: 409, reason: 'Conflict' });
  t.true(api.objects.forceDelete('pods', 'p1', 'default'));
  t.is(api.objects.get('pods', 'p1', 'default'), undefined);
});
