// CRUD through the real client-node: core Pods, apps Deployments, our CRDs
// (cluster- and namespace-scoped), generateName/uid, 404 and 409 shapes.
import test from '../../support/test.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { POOLS, apiFailure, asObj, listSchema, setup } from './helpers.ts';

const pod = (name: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

test('A-01 Pod create, get, replace, list, delete', async (t) => {
  const { core } = await setup(t);
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('p1') });
  t.is(created.metadata?.namespace, 'default');
  t.is(created.status?.phase, 'Pending');
  const got = await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
  t.is(got.metadata?.uid, created.metadata?.uid);
  got.metadata = { ...got.metadata, labels: { app: 'db' } };
  const replaced = await core.replaceNamespacedPod({ name: 'p1', namespace: 'default', body: got });
  t.is(replaced.metadata?.labels?.['app'], 'db');
  t.true(Number(replaced.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));
  const list = await core.listNamespacedPod({ namespace: 'default' });
  t.deepEqual(list.items.map((p) => p.metadata?.name), ['p1']);
  t.is(list.metadata?.resourceVersion, replaced.metadata?.resourceVersion);
  // Unscheduled pods are deleted at once, as by the real server.
  await core.deleteNamespacedPod({ name: 'p1', namespace: 'default' });
  t.is((await apiFailure(core.readNamespacedPod({ name: 'p1', namespace: 'default' }))).code, 404);
});

test('A-02 IPPool custom object create, get, replace, list, delete', async (t) => {
  const { custom, api } = await setup(t);
  const body = { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name: 'pool-a' }, spec: { subnet: '10.0.0.0/24' } };
  const created = asObj(await custom.createClusterCustomObject({ ...POOLS, body }));
  t.is(created.kind, 'IPPool');
  t.is(created.metadata.generation, 1);
  const got = asObj(await custom.getClusterCustomObject({ ...POOLS, name: 'pool-a' }));
  t.deepEqual(got.spec, { subnet: '10.0.0.0/24' });
  const replaced = asObj(await custom.replaceClusterCustomObject({ ...POOLS, name: 'pool-a', body: { ...got, spec: { subnet: '10.0.1.0/24' } } }));
  t.is(replaced.metadata.generation, 2, 'a spec change bumps generation');
  const list = listSchema.parse(await custom.listClusterCustomObject(POOLS));
  t.deepEqual(list.items.map((o) => o.spec), [{ subnet: '10.0.1.0/24' }]);
  await custom.deleteClusterCustomObject({ ...POOLS, name: 'pool-a' });
  t.is(api.objects.get('ippools.nicpool.io', 'pool-a'), undefined);
});

test('A-03 namespaced Endpoint CRD and apps Deployment round-trip; namespaces are auto-created', async (t) => {
  const { custom, apps, core } = await setup(t);
  const ep = { apiVersion: 'nicpool.io/v1', kind: 'Endpoint', metadata: { name: 'p1' }, spec: { nodeName: 'n1' } };
  const created = asObj(await custom.createNamespacedCustomObject({ group: 'nicpool.io', version: 'v1', plural: 'endpoints', namespace: 'team-a', body: ep }));
  t.is(created.metadata.namespace, 'team-a');
  const dep = await apps.createNamespacedDeployment({
    namespace: 'team-a',
    body: { metadata: { name: 'd1' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } } },
  });
  t.is(dep.kind, 'Deployment');
  t.is((await apps.readNamespacedDeployment({ name: 'd1', namespace: 'team-a' })).metadata?.uid, dep.metadata?.uid);
  const nss = await core.listNamespace();
  t.deepEqual(nss.items.map((n) => n.metadata?.name), ['default', 'kube-system', 'team-a']);
});

test('A-04 generateName gives a unique name, uid, creationTimestamp and resourceVersion', async (t) => {
  const { core } = await setup(t);
  const body: V1Pod = { metadata: { generateName: 'web-' }, spec: { containers: [] } };
  const a = await core.createNamespacedPod({ namespace: 'default', body });
  const b = await core.createNamespacedPod({ namespace: 'default', body });
  t.regex(a.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
  t.not(a.metadata?.name, b.metadata?.name);
  t.regex(a.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  t.not(a.metadata?.uid, b.metadata?.uid);
  t.true(a.metadata?.creationTimestamp instanceof Date);
  t.true(Number(b.metadata?.resourceVersion) > Number(a.metadata?.resourceVersion));
});

test('A-05 create of an existing name is 409 AlreadyExists; a missing object is 404 NotFound', async (t) => {
  const { core, custom } = await setup(t);
  await core.createNamespacedPod({ namespace: 'default', body: pod('p1') });
  const dup = await apiFailure(core.createNamespacedPod({ namespace: 'default', body: pod('p1') }));
  t.like(dup, { code: 409, reason: 'AlreadyExists', details: { name: 'p1', kind: 'pods' } });
  t.is(dup.message, 'pods "p1" already exists');
  const missing = await apiFailure(custom.getClusterCustomObject({ ...POOLS, name: 'nope' }));
  t.like(missing, { code: 404, reason: 'NotFound', details: { name: 'nope', group: 'nicpool.io', kind: 'ippools' } });
});
