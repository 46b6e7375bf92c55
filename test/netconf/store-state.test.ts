import test from '../support/test.ts';
import { emptyStoreState, StoreState } from '../../netconf/store-state.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

test('U-NC-82 emptyStoreState is version 1 with no allocations, bindings or cursors, fresh on each call', (t) => {
  t.deepEqual(emptyStoreState(), { version: 1, allocations: [], fixedBindings: [], cursors: {} });
  const first = emptyStoreState();
  first.allocations.push({ ip: '10.0.0.1', pool: 'a', containerID: 'c', ifname: 'eth0', network: 'n', allocatedAt: 'x' });
  first.cursors.a = '10.0.0.1';
  t.deepEqual(emptyStoreState(), { version: 1, allocations: [], fixedBindings: [], cursors: {} });
});

test('U-NC-83 StoreState rejects another version and an allocation missing its network', (t) => {
  throwsCni(t, () => parseOrThrow(StoreState, { version: 2, allocations: [], fixedBindings: [], cursors: {} }), 7,
    'version: invalid input: expected 1, got 2');
  throwsCni(t, () => parseOrThrow(StoreState, {
    version: 1, allocations: [{ ip: '10.0.0.1', pool: 'a', containerID: 'c', ifname: 'eth0', allocatedAt: 'x' }], fixedBindings: [], cursors: {},
  }), 7, 'allocations[0].network: missing, invalid input: expected string, received undefined');
});
