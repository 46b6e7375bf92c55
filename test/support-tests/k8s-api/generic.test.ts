// Discovery-driven KubernetesObjectApi, the legacy /watch/ path, and
// optimistic concurrency under parallel clients.
import test from '../../support/test.ts';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { POOLS, asObj, rvOf, setup, watch } from './helpers.ts';

test('A-29 KubernetesObjectApi resolves our CRDs through discovery and does CRUD', async (t) => {
  const { kc, api } = await setup(t);
  const client = KubernetesObjectApi.makeApiClient(kc);
  const spec: KubernetesObject & { spec: object } = { apiVersion: 'nicpool.io/v1', kind: 'Subnet', metadata: { name: 's1' }, spec: { cidr: '10.1.0.0/16' } };
  const created = await client.create(spec);
  t.truthy(created.metadata?.uid);
  const read = await client.read({ apiVersion: 'nicpool.io/v1', kind: 'Subnet', metadata: { name: 's1' } });
  t.is(read.metadata?.uid, created.metadata?.uid);
  const list = await client.list('nicpool.io/v1', 'Subnet');
  t.deepEqual(list.items.map((o) => o.metadata?.name), ['s1']);
  await client.delete(read);
  t.is(api.objects.get('subnets.nicpool.io', 's1'), undefined);
  t.true(api.metrics.count('get', 'discovery') >= 1);
});

test('A-30 the legacy /watch/{plural}/{name} path watches one object', async (t) => {
  const { custom, kc } = await setup(t);
  const a = asObj(await custom.createClusterCustomObject({ ...POOLS, body: { metadata: { name: 'pool-a' }, spec: { n: 0 } } }));
  await custom.createClusterCustomObject({ ...POOLS, body: { metadata: { name: 'pool-b' }, spec: { n: 0 } } });
  const w = await watch(kc, '/apis/nicpool.io/v1/watch/ippools/pool-a', { resourceVersion: rvOf(a) });
  t.teardown(() => w.abort());
  await custom.deleteClusterCustomObject({ ...POOLS, name: 'pool-b' });
  await custom.deleteClusterCustomObject({ ...POOLS, name: 'pool-a' });
  const [ev] = await w.take(1);
  t.is(ev?.type, 'DELETED');
  t.is((ev?.object['metadata'] as { name: string }).name, 'pool-a');
  t.is(w.events.length, 1);
});

test('A-31 parallel read-modify-write clients never lose an update (409 + retry)', async (t) => {
  const { custom, api } = await setup(t);
  await custom.createClusterCustomObject({ ...POOLS, body: { metadata: { name: 'counter' }, spec: { n: 0 } } });
  const increment = async (): Promise<void> => {
    for (;;) {
      const cur = asObj(await custom.getClusterCustomObject({ ...POOLS, name: 'counter' }));
      const n = Number(cur.spec?.['n']);
      try {
        await custom.replaceClusterCustomObject({ ...POOLS, name: 'counter', body: { ...cur, spec: { n: n + 1 } } });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, increment));
  t.deepEqual(api.objects.get('ippools.nicpool.io', 'counter')?.['spec'], { n: 8 });
  t.is(api.metrics.count('update', 'ippools.nicpool.io'), 8 + api.metrics.conflicts);
});
