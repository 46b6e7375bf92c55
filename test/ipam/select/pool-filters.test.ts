import test from '../../support/test.ts';
import { poolRejection, type FilterContext } from '../../../ipam/select/pool-filters.ts';
import { compiled, type PoolOptions } from '../fixtures.ts';

const base: PoolOptions = { name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'] };
const ctx: FilterContext = { network: 'macvlan-a', nodeName: 'node-1', podNamespace: 'prod' };

function reject(extra: Partial<PoolOptions>, context: FilterContext = ctx): string | undefined {
  return poolRejection(compiled({ ...base, ...extra }), context);
}

test('U-IP-14 a pool without filters serves every attachment', (t) => {
  t.is(reject({}), undefined);
  t.is(reject({ disable: false, multusName: ['macvlan-a'], nodeAffinity: {}, namespaceAffinity: {}, podAffinity: {} }), undefined);
});

test('U-IP-15 a disabled pool is rejected as "disabled"', (t) => {
  t.is(reject({ disable: true }), 'disabled');
});

test('U-IP-16 multusName must include the network name', (t) => {
  t.is(reject({ multusName: ['macvlan-b', 'macvlan-c'] }), 'multusName ["macvlan-b","macvlan-c"] does not include network "macvlan-a"');
  t.is(reject({ multusName: ['macvlan-b', 'macvlan-a'] }), undefined);
});

test('U-IP-17 nodeAffinity is matched against the label kubernetes.io/hostname=<nodeName>', (t) => {
  t.is(reject({ nodeAffinity: { matchLabels: { 'kubernetes.io/hostname': 'node-1' } } }), undefined);
  t.is(reject({ nodeAffinity: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2', 'node-3'] }] } }),
    'nodeAffinity does not match node "node-1"');
  t.is(reject({ nodeAffinity: { matchLabels: { zone: 'a' } } }), 'nodeAffinity does not match node "node-1"');
});

test('U-IP-18 namespaceAffinity is matched against kubernetes.io/metadata.name=<namespace>; no pod means no labels', (t) => {
  t.is(reject({ namespaceAffinity: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }), undefined);
  t.is(reject({ namespaceAffinity: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }), 'namespaceAffinity does not match namespace "prod"');
  t.is(reject({ namespaceAffinity: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }, { ...ctx, podNamespace: undefined }),
    'namespaceAffinity does not match namespace ""');
});

test('U-IP-19 a podAffinity needing labels is rejected locally (pods have none here); one that holds for no labels passes', (t) => {
  t.is(reject({ podAffinity: { matchLabels: { app: 'web' } } }), 'podAffinity needs pod labels, which only the Kubernetes store has');
  t.is(reject({ podAffinity: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } }), undefined);
});

test('U-IP-20 the first failing filter is reported, in the order disable, multusName, node, namespace, pod', (t) => {
  const all = { multusName: ['x'], nodeAffinity: { matchLabels: { a: 'b' } }, namespaceAffinity: { matchLabels: { a: 'b' } }, podAffinity: { matchLabels: { a: 'b' } } };
  t.is(reject({ ...all, disable: true }), 'disabled');
  t.is(reject(all), 'multusName ["x"] does not include network "macvlan-a"');
  t.is(reject({ ...all, multusName: ['macvlan-a'] }), 'nodeAffinity does not match node "node-1"');
  t.is(reject({ ...all, multusName: ['macvlan-a'], nodeAffinity: {} }), 'namespaceAffinity does not match namespace "prod"');
});
