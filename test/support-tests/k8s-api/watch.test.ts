// Watches through client-node's Watch: ordered replay from a
// resourceVersion, 410 Gone, bookmarks, selector transitions.
import test from '../../support/test.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { rvOf, setup, watch } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({ metadata: { name, labels }, spec: { containers: [] } });
const PODS = '/api/v1/namespaces/default/pods';

test('A-13 watch from a resourceVersion replays, then streams ADDED, MODIFIED, DELETED in order', async (t) => {
  const { core, kc } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: pod('before') });
  const from = rvOf(await core.listNamespacedPod({ namespace: 'default' }));
  await core.createNamespacedPod({ namespace: 'default', body: pod('p1') }); // after `from`: replayed
  const w = await watch(kc, PODS, { resourceVersion: from });
  t.teardown(() => w.abort());
  await core.patchNamespacedPod({ name: 'p1', namespace: 'default', body: { metadata: { labels: { x: 'y' } } } }, mergePatch);
  await core.deleteNamespacedPod({ name: 'p1', namespace: 'default' });
  const events = await w.take(3);
  t.deepEqual(
    events.map((e) => [e.type, (e.object['metadata'] as { name: string }).name]),
    [['ADDED', 'p1'], ['MODIFIED', 'p1'], ['DELETED', 'p1']],
  );
  const rvs = events.map((e) => Number(rvOf(e.object)));
  t.true(rvs.every((rv, i) => i === 0 || rv > (rvs[i - 1] ?? 0)), 'resourceVersions increase');
});

test('A-14 watch from a resourceVersion older than the history gets an ERROR event with a 410 Expired Status', async (t) => {
  const { core, kc } = await setup(t, { historyLimit: 2 });
  const first = await core.createNamespacedPod({ namespace: 'default', body: pod('p0') });
  for (const n of ['p1', 'p2', 'p3']) await core.createNamespacedPod({ namespace: 'default', body: pod(n) });
  const w = await watch(kc, PODS, { resourceVersion: rvOf(first) });
  // client-node reports the end of the stream with done(null), not an error:
  // the 410 is only visible as the ERROR event before it.
  t.is(await w.ended(), null);
  t.is(w.events.length, 1);
  const [ev] = w.events;
  t.is(ev?.type, 'ERROR');
  t.like(ev?.object, { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' });
});

test('A-15 BOOKMARK events go only to watches opened with allowWatchBookmarks=true', async (t) => {
  const { core, custom, kc, api } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: pod('p1') });
  const rv = api.resourceVersion();
  const withBookmarks = await watch(kc, PODS, { resourceVersion: rv, allowWatchBookmarks: 'true' });
  const without = await watch(kc, PODS, { resourceVersion: rv });
  t.teardown(() => {
    withBookmarks.abort();
    without.abort();
  });
  // A write to another resource moves the global resourceVersion on.
  await custom.createNamespacedCustomObject({ group: 'nicpool.io', version: 'v1', plural: 'endpoints', namespace: 'default', body: { metadata: { name: 'e' } } });
  t.is(api.bookmarkAll(), 1);
  const [bm] = await withBookmarks.take(1);
  t.is(bm?.type, 'BOOKMARK');
  t.is(rvOf(bm?.object ?? {}), api.resourceVersion(), 'bookmark carries the current resourceVersion');
  t.deepEqual(without.events, []);
});

test('A-16 watch without resourceVersion lists current objects as ADDED; leaving a label selector is DELETED', async (t) => {
  const { core, kc } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: pod('p1', { app: 'web' }) });
  await core.createNamespacedPod({ namespace: 'default', body: pod('p2', { app: 'db' }) });
  const w = await watch(kc, PODS, { labelSelector: 'app=web' });
  t.teardown(() => w.abort());
  await core.patchNamespacedPod({ name: 'p2', namespace: 'default', body: { metadata: { labels: { app: 'web' } } } }, mergePatch);
  await core.patchNamespacedPod({ name: 'p1', namespace: 'default', body: { metadata: { labels: { app: 'db' } } } }, mergePatch);
  const events = await w.take(3);
  t.deepEqual(
    events.map((e) => [e.type, (e.object['metadata'] as { name: string }).name]),
    [['ADDED', 'p1'], ['ADDED', 'p2'], ['DELETED', 'p1']],
  );
});
