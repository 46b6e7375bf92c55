import test from '../../support/test.ts';
import { planGarbageCollection, planRelease } from '../../../ipam/allocate/plan-release.ts';
import { allocation, binding, state } from '../fixtures.ts';

const a1 = allocation({ ip: '10.0.0.10', pool: 'p4', containerID: 'c1', ifname: 'eth0' });
const a1v6 = allocation({ ip: 'fd00::10', pool: 'p6', containerID: 'c1', ifname: 'eth0' });
const a1net1 = allocation({ ip: '10.0.0.11', pool: 'p4', containerID: 'c1', ifname: 'net1' });
const a2 = allocation({ ip: '10.0.0.12', pool: 'p4', containerID: 'c2', ifname: 'eth0', podName: 'web-1' });

test('U-IP-65 release frees every address of the given attachment and nothing else', (t) => {
  const start = state({ allocations: [a1, a1net1, a1v6, a2], cursors: { p4: '10.0.0.12', p6: 'fd00::10' } });
  const plan = planRelease(start, { containerID: 'c1', ifname: 'eth0' });
  t.deepEqual(plan.released, [a1, a1v6]);
  t.deepEqual(plan.state, { version: 1, allocations: [a1net1, a2], fixedBindings: [], cursors: { p4: '10.0.0.12', p6: 'fd00::10' } });
});

test('U-IP-66 releasing an unknown attachment succeeds with released = [] and the same state object', (t) => {
  const start = state({ allocations: [a1, a2] });
  const plan = planRelease(start, { containerID: 'c3', ifname: 'eth0' });
  t.deepEqual(plan.released, []);
  t.is(plan.state, start);
  t.is(planRelease(start, { containerID: 'c1', ifname: 'eth9' }).state, start);
});

test('U-IP-67 fixed bindings survive the release of their allocation', (t) => {
  const bound = binding({ ip: '10.0.0.10', pool: 'p4' });
  const plan = planRelease(state({ allocations: [a1], fixedBindings: [bound] }), { containerID: 'c1', ifname: 'eth0' });
  t.deepEqual(plan.state.allocations, []);
  t.deepEqual(plan.state.fixedBindings, [bound]);
});

test('U-IP-68 release does not mutate its input state', (t) => {
  const start = state({ allocations: [a1, a2] });
  const snapshot = structuredClone(start);
  planRelease(start, { containerID: 'c1', ifname: 'eth0' });
  t.deepEqual(start, snapshot);
});

test('U-IP-69 GC releases only its own network\'s allocations that are not valid attachments', (t) => {
  const otherNet = allocation({ ip: '10.0.0.13', pool: 'p4', containerID: 'c9', network: 'net-b' });
  const start = state({ allocations: [a1, a1net1, a2, otherNet], fixedBindings: [binding({ ip: '10.0.0.12', pool: 'p4', podName: 'web-1' })] });
  const plan = planGarbageCollection(start, 'net-a', [{ containerID: 'c1', ifname: 'eth0' }]);
  t.deepEqual(plan.released, [a1net1, a2]);
  t.deepEqual(plan.state.allocations, [a1, otherNet]);
  t.deepEqual(plan.state.fixedBindings, start.fixedBindings);
});

test('U-IP-70 GC with every attachment valid returns released = [] and the same state object', (t) => {
  const start = state({ allocations: [a1, a2] });
  const plan = planGarbageCollection(start, 'net-a', [{ containerID: 'c2', ifname: 'eth0' }, { containerID: 'c1', ifname: 'eth0' }, { containerID: 'zz', ifname: 'eth0' }]);
  t.deepEqual(plan.released, []);
  t.is(plan.state, start);
  t.is(planGarbageCollection(start, 'net-b', []).state, start);
});

test('U-IP-71 GC matches attachments on the exact (containerID, ifname) pair', (t) => {
  // "c1"+"eth0" must not match "c1e"+"th0" or the like.
  const odd = allocation({ ip: '10.0.0.20', pool: 'p4', containerID: 'c1e', ifname: 'th0' });
  const plan = planGarbageCollection(state({ allocations: [a1, odd] }), 'net-a', [{ containerID: 'c1', ifname: 'eth0' }]);
  t.deepEqual(plan.released, [odd]);
  const empty = planGarbageCollection(state({ allocations: [a1, a2] }), 'net-a', []);
  t.deepEqual(empty.released, [a1, a2]);
  t.deepEqual(empty.state.allocations, []);
});
