// Optimistic concurrency, both patch formats client-node sends, and the
// status subresource, through the real client-node.
import test from '../../support/test.ts';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { POOLS, apiFailure, asObj, setup } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const pod: V1Pod = { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
const pool = { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name: 'pool-a' }, spec: { subnet: '10.0.0.0/24' } };

test('A-06 replace with a stale metadata.resourceVersion is 409 Conflict; the fresh one succeeds', async (t) => {
  const { core, api } = await setup(t);
  const v1 = await core.createNamespacedPod({ namespace: 'default', body: pod });
  const v2 = await core.replaceNamespacedPod({ name: 'p1', namespace: 'default', body: { ...v1, metadata: { ...v1.metadata, labels: { a: '1' } } } });
  const stale = await apiFailure(core.replaceNamespacedPod({ name: 'p1', namespace: 'default', body: { ...v1, metadata: { ...v1.metadata, labels: { a: '2' } } } }));
  t.like(stale, { code: 409, reason: 'Conflict', details: { name: 'p1', kind: 'pods' } });
  t.regex(stale.message, /the object has been modified/);
  const v3 = await core.replaceNamespacedPod({ name: 'p1', namespace: 'default', body: { ...v2, metadata: { ...v2.metadata, labels: { a: '3' } } } });
  t.is(v3.metadata?.labels?.['a'], '3');
  t.is(api.metrics.conflicts, 1);
});

test('A-07 merge-patch (via Content-Type header option) merges, null deletes, a stale resourceVersion conflicts', async (t) => {
  const { core } = await setup(t);
  const v1 = await core.createNamespacedPod({ namespace: 'default', body: { ...pod, metadata: { name: 'p1', labels: { a: '1', b: '2' } } } });
  const patched = await core.patchNamespacedPod({ name: 'p1', namespace: 'default', body: { metadata: { labels: { a: null, c: '3' } } } }, mergePatch);
  t.deepEqual(patched.metadata?.labels, { b: '2', c: '3' });
  const stale = await apiFailure(
    core.patchNamespacedPod({ name: 'p1', namespace: 'default', body: { metadata: { resourceVersion: v1.metadata?.resourceVersion, labels: { d: '4' } } } }, mergePatch),
  );
  t.is(stale.reason, 'Conflict');
});

test('A-08 json-patch is client-node’s default patch type; a failed test op is 422 and changes nothing', async (t) => {
  const { custom, api } = await setup(t);
  const v1 = asObj(await custom.createClusterCustomObject({ ...POOLS, body: pool }));
  const patched = asObj(
    await custom.patchClusterCustomObject({
      ...POOLS,
      name: 'pool-a',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: v1.metadata.resourceVersion },
        { op: 'replace', path: '/spec/subnet', value: '10.9.0.0/24' },
        { op: 'add', path: '/metadata/finalizers', value: ['nicpool.io/x'] },
      ],
    }),
  );
  t.is(patched.spec?.['subnet'], '10.9.0.0/24');
  t.deepEqual(patched.metadata.finalizers, ['nicpool.io/x']);
  const failed = await apiFailure(
    custom.patchClusterCustomObject({
      ...POOLS,
      name: 'pool-a',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: v1.metadata.resourceVersion },
        { op: 'remove', path: '/spec' },
      ],
    }),
  );
  t.is(failed.code, 422);
  t.deepEqual(api.objects.get('ippools.nicpool.io', 'pool-a')?.['spec'], { subnet: '10.9.0.0/24' });
});

test('A-09 status subresource: main writes ignore .status, /status writes change only .status', async (t) => {
  const { custom, core } = await setup(t);
  const created = asObj(await custom.createClusterCustomObject({ ...POOLS, body: { ...pool, status: { free: 9 } } }));
  t.is(created.status, undefined, 'status sent on create is dropped');
  const withStatus = asObj(
    await custom.replaceClusterCustomObjectStatus({ ...POOLS, name: 'pool-a', body: { ...created, spec: { subnet: 'ignored' }, status: { free: 254 } } }),
  );
  t.deepEqual(withStatus.status, { free: 254 });
  t.deepEqual(withStatus.spec, { subnet: '10.0.0.0/24' });
  const main = asObj(await custom.replaceClusterCustomObject({ ...POOLS, name: 'pool-a', body: { ...withStatus, status: { free: 0 } } }));
  t.deepEqual(main.status, { free: 254 });
  const viaPatch = asObj(await custom.patchClusterCustomObjectStatus({ ...POOLS, name: 'pool-a', body: { status: { free: 1 } } }, mergePatch));
  t.deepEqual(viaPatch.status, { free: 1 });
  // Pods: same isolation via the typed API.
  await core.createNamespacedPod({ namespace: 'default', body: pod });
  const running = await core.patchNamespacedPodStatus({ name: 'p1', namespace: 'default', body: { status: { phase: 'Running' } } }, mergePatch);
  t.is(running.status?.phase, 'Running');
  const ignored = await core.patchNamespacedPod({ name: 'p1', namespace: 'default', body: { status: { phase: 'Failed' } } }, mergePatch);
  t.is(ignored.status?.phase, 'Running');
});

test('A-10 a no-op write keeps the resourceVersion', async (t) => {
  const { core } = await setup(t);
  const v1 = await core.createNamespacedPod({ namespace: 'default', body: pod });
  const same = await core.replaceNamespacedPod({ name: 'p1', namespace: 'default', body: v1 });
  t.is(same.metadata?.resourceVersion, v1.metadata?.resourceVersion);
});
