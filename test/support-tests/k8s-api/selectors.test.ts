// List filtering with labelSelector and fieldSelector as client-node sends them.
import test from '../../support/test.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { apiFailure, setup } from './helpers.ts';

const pod = (name: string, ns: string, labels: Record<string, string>, nodeName?: string): V1Pod => ({
  metadata: { name, namespace: ns, labels },
  spec: { containers: [], ...(nodeName === undefined ? {} : { nodeName }) },
});

test('A-11 label selectors: =, ==, !=, in, notin, exists, !exists, and conjunctions', async (t) => {
  const { core, api } = await setup(t);
  api.objects.seed('pods', pod('a', 'default', { app: 'web', tier: 'front' }));
  api.objects.seed('pods', pod('b', 'default', { app: 'db' }));
  api.objects.seed('pods', pod('c', 'default', { app: 'cache', tier: 'back' }));
  const names = async (labelSelector: string) =>
    (await core.listNamespacedPod({ namespace: 'default', labelSelector })).items.map((p) => p.metadata?.name);
  t.deepEqual(await names('app=web'), ['a']);
  t.deepEqual(await names('app==db'), ['b']);
  t.deepEqual(await names('app!=web'), ['b', 'c']);
  t.deepEqual(await names('app in (web, cache)'), ['a', 'c']);
  t.deepEqual(await names('app notin (web,cache)'), ['b']);
  t.deepEqual(await names('tier'), ['a', 'c']);
  t.deepEqual(await names('!tier'), ['b']);
  t.deepEqual(await names('tier,app in (cache,db)'), ['c']);
  t.is((await apiFailure(names('app in web'))).code, 400);
});

test('A-12 field selectors: spec.nodeName across namespaces, status.phase, metadata.name; unsupported fields are 400', async (t) => {
  const { core, custom, api } = await setup(t);
  api.objects.seed('pods', pod('a', 'default', {}, 'node-1'));
  api.objects.seed('pods', pod('b', 'team-x', {}, 'node-1'));
  api.objects.seed('pods', pod('c', 'team-x', {}, 'node-2'));
  api.objects.seed('pods', { ...pod('d', 'team-x', {}), status: { phase: 'Running' } });
  const names = async (fieldSelector: string) => (await core.listPodForAllNamespaces({ fieldSelector })).items.map((p) => p.metadata?.name);
  t.deepEqual(await names('spec.nodeName=node-1'), ['a', 'b']);
  t.deepEqual(await names('spec.nodeName=node-1,metadata.namespace=team-x'), ['b']);
  t.deepEqual(await names('spec.nodeName='), ['d'], 'unscheduled pods have an empty nodeName');
  t.deepEqual(await names('status.phase=Running'), ['d']);
  t.deepEqual(await names('metadata.name!=a,spec.nodeName!=node-2'), ['b', 'd']);
  const bad = await apiFailure(custom.listClusterCustomObject({ group: 'nicpool.io', version: 'v1', plural: 'ippools', fieldSelector: 'spec.nodeName=x' }));
  t.like(bad, { code: 400, reason: 'BadRequest', message: 'field label not supported: spec.nodeName' });
});
