import test from '../../support/test.ts';
import type { AddRequest } from '../../../ipam/allocate/attachment.ts';
import { planAdd, type AddPlan } from '../../../ipam/allocate/plan-add.ts';
import { planRelease } from '../../../ipam/allocate/plan-release.ts';
import type { CompiledPool } from '../../../ipam/pools/compiled-pool.ts';
import { choosePools } from '../../../ipam/select/choose-pools.ts';
import type { StoreState } from '../../../netconf/store-state.ts';
import {
  allocation, attachment, binding, ip, NOW, podRef, poolSet, request, state, throwsCni, type PoolOptions,
} from '../fixtures.ts';

const p4: PoolOptions = { name: 'p4', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.13'], default: true };
const p6: PoolOptions = { name: 'p6', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::10-fd00::11'], default: true };
const fixed: PoolOptions = { name: 'fixed', ipVersion: 4, subnet: '10.1.0.0/24', ips: ['10.1.0.10-10.1.0.13'], fixedIPs: true };

/** ADD the way ipamAdd does it: choose pools, then plan. */
function add(current: StoreState, pools: Map<string, CompiledPool>, req: AddRequest = request()): AddPlan {
  return planAdd(current, choosePools(pools, req), req, NOW);
}

/** A request for another sandbox: containerID c<n>, pod <name> in "default". */
function sandbox(containerID: string, podName: string, overrides: Partial<AddRequest> = {}): AddRequest {
  return request({ attachment: attachment({ containerID, pod: podRef(podName) }), ...overrides });
}

/** ADDs one sandbox after another, returning the final state and each sandbox's IPs. */
function addAll(start: StoreState, pools: Map<string, CompiledPool>, requests: AddRequest[]): { state: StoreState; ips: string[] } {
  let current = start;
  const ips: string[] = [];
  for (const req of requests) {
    const plan = add(current, pools, req);
    current = plan.state;
    ips.push(plan.allocations.map((a) => a.ip).join(','));
  }
  return { state: current, ips };
}

test('U-IP-38 the first allocation takes the lowest allocatable address and records the attachment, pod and cursor', (t) => {
  const pools = poolSet({ name: 'p', ipVersion: 4, subnet: '10.0.0.0/29', ips: ['10.0.0.0/29'], default: true });
  const req = request({ attachment: attachment({ pod: podRef('web-0', 'prod', 'uid-1') }) });
  const plan = add(state(), pools, req);
  const expected = {
    ip: '10.0.0.1', pool: 'p', containerID: 'c1', ifname: 'eth0', network: 'net-a',
    podNamespace: 'prod', podName: 'web-0', podUID: 'uid-1', allocatedAt: '2025-01-02T03:04:05.000Z',
  };
  t.deepEqual(plan.allocations, [expected]);
  t.true(plan.changed);
  t.deepEqual(plan.state, { version: 1, allocations: [expected], fixedBindings: [], cursors: { p: '10.0.0.1' } });
});

test('U-IP-39 without pod information the allocation has no pod keys; without a UID no podUID key', (t) => {
  const pools = poolSet(p4);
  const noPod = add(state(), pools, request({ attachment: attachment({ pod: undefined }) })).allocations[0];
  t.deepEqual(noPod, { ip: '10.0.0.10', pool: 'p4', containerID: 'c1', ifname: 'eth0', network: 'net-a', allocatedAt: '2025-01-02T03:04:05.000Z' });
  const noUid = add(state(), pools).allocations[0];
  t.deepEqual(noUid, { ip: '10.0.0.10', pool: 'p4', containerID: 'c1', ifname: 'eth0', network: 'net-a', podNamespace: 'default', podName: 'web-0', allocatedAt: '2025-01-02T03:04:05.000Z' });
});

test('U-IP-40 later allocations go after the cursor, not to the lowest free address', (t) => {
  const pools = poolSet(p4);
  const start = state({ cursors: { p4: '10.0.0.11' } });
  t.deepEqual(addAll(start, pools, [sandbox('c1', 'a'), sandbox('c2', 'b')]).ips, ['10.0.0.12', '10.0.0.13']);
  t.deepEqual(addAll(state(), pools, [sandbox('c1', 'a'), sandbox('c2', 'b'), sandbox('c3', 'c')]).ips, ['10.0.0.10', '10.0.0.11', '10.0.0.12']);
});

test('U-IP-41 a just-released address is not reused while others are free', (t) => {
  const pools = poolSet(p4);
  const first = add(state(), pools, sandbox('c1', 'a'));
  t.is(first.allocations[0]?.ip, '10.0.0.10');
  const released = planRelease(first.state, { containerID: 'c1', ifname: 'eth0' }).state;
  const after = addAll(released, pools, [sandbox('c2', 'b'), sandbox('c3', 'c'), sandbox('c4', 'd'), sandbox('c5', 'e')]);
  t.deepEqual(after.ips, ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.10']);
});

test('U-IP-42 with the cursor at the end of the pool the search wraps to the lowest free address', (t) => {
  const pools = poolSet(p4);
  const held = [allocation({ ip: '10.0.0.10', pool: 'p4', containerID: 'c0' })];
  t.deepEqual(add(state({ allocations: held, cursors: { p4: '10.0.0.13' } }), pools).allocations.map((a) => a.ip), ['10.0.0.11']);
  // A stale cursor beyond the pool (pool shrunk) wraps as well.
  t.deepEqual(add(state({ cursors: { p4: '10.0.0.200' } }), pools).allocations.map((a) => a.ip), ['10.0.0.10']);
});

test('U-IP-43 a repeated ADD of the same (containerID, ifname) returns its allocations unchanged and the same state object', (t) => {
  const pools = poolSet(p4, p6);
  const first = add(state(), pools);
  const again = planAdd(first.state, choosePools(pools, request()), request(), new Date('2030-01-01T00:00:00Z'));
  t.false(again.changed);
  t.is(again.state, first.state);
  t.deepEqual(again.allocations, first.allocations);
  t.deepEqual(again.allocations.map((a) => a.ip), ['10.0.0.10', 'fd00::10']);
});

test('U-IP-44 the same container with another ifname gets its own address', (t) => {
  const pools = poolSet(p4);
  const first = add(state(), pools);
  const second = add(first.state, pools, request({ attachment: attachment({ ifname: 'net1' }) }));
  t.true(second.changed);
  t.deepEqual(second.state.allocations.map((a) => [a.ifname, a.ip]), [['eth0', '10.0.0.10'], ['net1', '10.0.0.11']]);
});

test('U-IP-45 dual-stack ADD allocates one address of each family in one plan', (t) => {
  const pools = poolSet(p4, p6);
  const plan = add(state(), pools);
  t.deepEqual(plan.allocations.map((a) => [a.pool, a.ip]), [['p4', '10.0.0.10'], ['p6', 'fd00::10']]);
  t.deepEqual(plan.state.allocations, plan.allocations);
  t.deepEqual(plan.state.cursors, { p4: '10.0.0.10', p6: 'fd00::10' });
});

test('U-IP-46 an exhausted pool is code 100 naming the pool and "N of N addresses allocated"', (t) => {
  const pools = poolSet(p4);
  const full = addAll(state(), pools, [sandbox('c1', 'a'), sandbox('c2', 'b'), sandbox('c3', 'c'), sandbox('c4', 'd')]).state;
  throwsCni(t, () => add(full, pools, sandbox('c5', 'e')), 100, 'pool "p4" is exhausted (4 of 4 addresses allocated)');
});

test('U-IP-47 when the IPv6 pool is exhausted nothing is committed: code 100 and the input state is untouched', (t) => {
  const pools = poolSet(p4, p6);
  const full = addAll(state(), pools, [sandbox('c1', 'a'), sandbox('c2', 'b')]).state;
  const snapshot = structuredClone(full);
  throwsCni(t, () => add(full, pools, sandbox('c3', 'c')), 100, 'pool "p6" is exhausted (2 of 2 addresses allocated)');
  t.deepEqual(full, snapshot);
  t.is(full.allocations.filter((a) => a.containerID === 'c3').length, 0);
});

test('U-IP-48 planAdd is pure: a successful plan leaves the input state, its arrays and cursors untouched', (t) => {
  const pools = poolSet(p4, p6, fixed);
  const start = state({
    allocations: [allocation({ ip: '10.1.0.10', pool: 'fixed', containerID: 'old', podName: 'db-0' })],
    fixedBindings: [binding({ ip: '10.1.0.10', pool: 'fixed', podName: 'db-0' })],
    cursors: { p4: '10.0.0.10' },
  });
  const snapshot = structuredClone(start);
  const plan = add(start, pools, sandbox('new', 'db-0', { poolNames: ['fixed'] }));
  t.deepEqual(start, snapshot);
  t.not(plan.state, start);
  t.not(plan.state.allocations, start.allocations);
  t.not(plan.state.cursors, start.cursors);
});

test('U-IP-49 when the first pool of a family is full the next one is used; when all are, every pool is named', (t) => {
  const pools = poolSet(
    { name: 'one', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'] },
    { name: 'two', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.20-10.0.0.21'] },
  );
  const order = { poolNames: ['one', 'two'] };
  const run = addAll(state(), pools, [sandbox('c1', 'a', order), sandbox('c2', 'b', order), sandbox('c3', 'c', order)]);
  t.deepEqual(run.ips, ['10.0.0.10', '10.0.0.20', '10.0.0.21']);
  t.deepEqual(run.state.allocations.map((a) => a.pool), ['one', 'two', 'two']);
  throwsCni(t, () => add(run.state, pools, sandbox('c4', 'd', order)), 100,
    'pool "one" is exhausted (1 of 1 addresses allocated); pool "two" is exhausted (2 of 2 addresses allocated)');
});

test('U-IP-50 a requested free IP is granted even out of cursor order, and becomes the cursor', (t) => {
  const pools = poolSet(p4, p6);
  const plan = add(state({ cursors: { p4: '10.0.0.10' } }), pools, request({ requestedIps: [ip('10.0.0.13')] }));
  t.deepEqual(plan.allocations.map((a) => a.ip), ['10.0.0.13', 'fd00::10']);
  t.is(plan.state.cursors.p4, '10.0.0.13');
});

test('U-IP-51 a requested IP held by another attachment is code 102 naming the holder', (t) => {
  const pools = poolSet(p4);
  const held = state({ allocations: [allocation({ ip: '10.0.0.12', pool: 'p4', containerID: 'c9', podName: 'other' })] });
  throwsCni(t, () => add(held, pools, request({ requestedIps: [ip('10.0.0.12')] })), 102,
    'runtimeConfig.ips: "10.0.0.12" is already held by container c9 eth0 (pod default/other)');
  const noPod = state({ allocations: [{ ip: '10.0.0.12', pool: 'p4', containerID: 'c9', ifname: 'net1', network: 'net-a', allocatedAt: 'x' }] });
  throwsCni(t, () => add(noPod, pools, request({ requestedIps: [ip('10.0.0.12')], attachment: attachment({ pod: undefined }) })), 102,
    'runtimeConfig.ips: "10.0.0.12" is already held by container c9 net1');
});

test('U-IP-52 a requested IP kept by a fixed binding of another pod is code 102 naming that pod', (t) => {
  const pools = poolSet(fixed);
  const kept = state({ fixedBindings: [binding({ ip: '10.1.0.12', pool: 'fixed', podNamespace: 'db', podName: 'db-0' })] });
  throwsCni(t, () => add(kept, pools, request({ requestedIps: [ip('10.1.0.12')] })), 102,
    'runtimeConfig.ips: "10.1.0.12" is kept for pod db/db-0');
  // Without pod information nobody matches the binding either.
  throwsCni(t, () => add(kept, pools, request({ requestedIps: [ip('10.1.0.12')], attachment: attachment({ pod: undefined }) })), 102,
    'runtimeConfig.ips: "10.1.0.12" is kept for pod db/db-0');
});

test('U-IP-53 a requested IP held by an old sandbox of the same pod name is taken over: one allocation remains', (t) => {
  const pools = poolSet(p4);
  const old = state({ allocations: [allocation({ ip: '10.0.0.12', pool: 'p4', containerID: 'old-sandbox' })] });
  const plan = add(old, pools, request({ requestedIps: [ip('10.0.0.12')] }));
  t.deepEqual(plan.state.allocations.map((a) => [a.containerID, a.ip]), [['c1', '10.0.0.12']]);
});

test('U-IP-54 a requested IP kept by the pod\'s own fixed binding is granted and the binding stays single', (t) => {
  const pools = poolSet(fixed);
  const kept = state({ fixedBindings: [binding({ ip: '10.1.0.12', pool: 'fixed' })] });
  const plan = add(kept, pools, request({ requestedIps: [ip('10.1.0.12')] }));
  t.deepEqual(plan.allocations.map((a) => a.ip), ['10.1.0.12']);
  t.deepEqual(plan.state.fixedBindings, [binding({ ip: '10.1.0.12', pool: 'fixed' })]);
});

test('U-IP-55 a requested IP held by another interface of the same sandbox is code 102, not taken over', (t) => {
  const pools = poolSet(p4);
  const first = add(state(), pools);
  t.deepEqual(first.allocations.map((a) => [a.ifname, a.ip]), [['eth0', '10.0.0.10']]);
  throwsCni(t, () => add(first.state, pools, request({ attachment: attachment({ ifname: 'net1' }), requestedIps: [ip('10.0.0.10')] })), 102,
    'runtimeConfig.ips: "10.0.0.10" is already held by container c1 eth0 (pod default/web-0)');
});

test('U-IP-56 fixed IPs: a pod re-created under the same namespace/name and ifname gets its address back after release', (t) => {
  const pools = poolSet(fixed);
  const want = { poolNames: ['fixed'] };
  const first = add(state(), pools, sandbox('c1', 'web-0', want));
  t.deepEqual(first.state.fixedBindings, [binding({ ip: '10.1.0.10', pool: 'fixed' })]);
  const released = planRelease(first.state, { containerID: 'c1', ifname: 'eth0' }).state;
  t.deepEqual(released.fixedBindings, [binding({ ip: '10.1.0.10', pool: 'fixed' })]);
  const others = addAll(released, pools, [sandbox('c2', 'other-0', want), sandbox('c3', 'other-1', want)]);
  t.deepEqual(others.ips, ['10.1.0.11', '10.1.0.12']);
  const back = add(others.state, pools, sandbox('c4', 'web-0', want));
  t.deepEqual(back.allocations.map((a) => [a.containerID, a.ip]), [['c4', '10.1.0.10']]);
  t.deepEqual(back.state.fixedBindings.filter((b) => b.podName === 'web-0'), [binding({ ip: '10.1.0.10', pool: 'fixed' })]);
});

test('U-IP-57 fixed IPs: another pod name never gets a bound address, even the last one: code 100 "kept for fixed-IP pods"', (t) => {
  const pools = poolSet({ name: 'solo', ipVersion: 4, subnet: '10.2.0.0/24', ips: ['10.2.0.10'], fixedIPs: true });
  const want = { poolNames: ['solo'] };
  const first = add(state(), pools, sandbox('c1', 'web-0', want));
  const released = planRelease(first.state, { containerID: 'c1', ifname: 'eth0' }).state;
  throwsCni(t, () => add(released, pools, sandbox('c2', 'web-1', want)), 100,
    'pool "solo" is exhausted (0 of 1 addresses allocated, 1 kept for fixed-IP pods)');
  throwsCni(t, () => add(released, pools, request({ attachment: attachment({ containerID: 'c3', pod: undefined }), ...want })), 100,
    'pool "solo" is exhausted (0 of 1 addresses allocated, 1 kept for fixed-IP pods)');
});

test('U-IP-58 fixed IPs: the exhaustion message counts allocations and kept bindings separately', (t) => {
  const pools = poolSet({ name: 'trio', ipVersion: 4, subnet: '10.2.0.0/24', ips: ['10.2.0.10-10.2.0.12'], fixedIPs: true });
  const want = { poolNames: ['trio'] };
  const run = addAll(state(), pools, [sandbox('c1', 'a', want), sandbox('c2', 'b', want), sandbox('c3', 'c', want)]);
  const released = planRelease(run.state, { containerID: 'c2', ifname: 'eth0' }).state;
  throwsCni(t, () => add(released, pools, sandbox('c4', 'd', want)), 100,
    'pool "trio" is exhausted (2 of 3 addresses allocated, 1 kept for fixed-IP pods)');
});

test('U-IP-59 fixed IPs: a new sandbox of the same pod whose old allocation was never released takes it over', (t) => {
  const pools = poolSet(fixed);
  const want = { poolNames: ['fixed'] };
  const first = add(state(), pools, sandbox('old', 'web-0', want));
  const again = add(first.state, pools, sandbox('new', 'web-0', want));
  t.true(again.changed);
  t.deepEqual(again.state.allocations.map((a) => [a.containerID, a.ip]), [['new', '10.1.0.10']]);
  t.deepEqual(again.state.fixedBindings, [binding({ ip: '10.1.0.10', pool: 'fixed' })]);
});

test('U-IP-60 fixed IPs: bindings are per interface; the same pod\'s second NIC gets its own bound address', (t) => {
  const pools = poolSet(fixed);
  const want = { poolNames: ['fixed'] };
  const eth0 = add(state(), pools, sandbox('c1', 'web-0', want));
  const net1 = add(eth0.state, pools, request({ attachment: attachment({ containerID: 'c1', ifname: 'net1' }), ...want }));
  t.deepEqual(net1.allocations.map((a) => a.ip), ['10.1.0.11']);
  t.deepEqual(net1.state.fixedBindings, [binding({ ip: '10.1.0.10', pool: 'fixed' }), binding({ ip: '10.1.0.11', pool: 'fixed', ifname: 'net1' })]);
});

test('U-IP-61 fixed IPs: without pod information no binding is made; a non-fixed pool never binds', (t) => {
  const pools = poolSet(fixed, p4);
  const noPod = add(state(), pools, request({ attachment: attachment({ pod: undefined }), poolNames: ['fixed'] }));
  t.deepEqual(noPod.allocations.map((a) => a.ip), ['10.1.0.10']);
  t.deepEqual(noPod.state.fixedBindings, []);
  const plain = add(state(), pools, request({ poolNames: ['p4'] }));
  t.deepEqual(plain.state.fixedBindings, []);
});

test('U-IP-62 addresses kept by fixed bindings are skipped by every other pod even when the cursor points before them', (t) => {
  const pools = poolSet(fixed);
  const kept = state({ fixedBindings: [binding({ ip: '10.1.0.10', pool: 'fixed', podName: 'db-0' }), binding({ ip: '10.1.0.11', pool: 'fixed', podName: 'db-1' })] });
  t.deepEqual(add(kept, pools, request({ poolNames: ['fixed'] })).allocations.map((a) => a.ip), ['10.1.0.12']);
});

test('U-IP-63 an IPv4 pool named in ipam.defaultIPv6Pools never yields an allocation (code 7)', (t) => {
  const pools = poolSet({ ...p4, default: false }, { ...p6, default: false });
  throwsCni(t, () => add(state(), pools, request({ defaultPools: { 6: ['p4'] } })), 7, /ipam\.defaultIPv6Pools: .*"p4"/);
});

test('U-IP-64 fixed IPs: a pod NIC re-created with another requested IP keeps one binding, the latest', (t) => {
  const pools = poolSet(fixed);
  const first = add(state(), pools, sandbox('c1', 'web-0', { poolNames: ['fixed'] }));
  t.is(first.allocations[0]?.ip, '10.1.0.10');
  const moved = add(planRelease(first.state, { containerID: 'c1', ifname: 'eth0' }).state, pools,
    sandbox('c2', 'web-0', { requestedIps: [ip('10.1.0.12')] }));
  t.deepEqual(moved.state.fixedBindings, [binding({ ip: '10.1.0.12', pool: 'fixed' })]);
  const again = add(planRelease(moved.state, { containerID: 'c2', ifname: 'eth0' }).state, pools, sandbox('c3', 'web-0', { poolNames: ['fixed'] }));
  t.deepEqual(again.allocations.map((a) => a.ip), ['10.1.0.12']);
});
