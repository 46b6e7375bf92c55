// planGc (ipam/gc/plan-gc.ts), the pure heart of GC: each rule, each guard, and the cases
// where the peers free a live pod's address.
import test from '../../support/test.ts';
import { GcConfig } from '../../../netconf/gc-config.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import { planGc } from '../../../ipam/gc/plan-gc.ts';
import { reservationKey, type EndpointView, type GcWorld, type NodeView, type PodView, type Reservation, type StatefulSetView } from '../../../ipam/gc/world.ts';

const config = parseOrThrow(GcConfig, {});
const now = new Date('2026-11-22T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

function reservation(name: string, overrides: Partial<Reservation['entry']> = {}, ip = '10.0.0.10'): Reservation {
  return {
    block: 'a-0a000000',
    offset: Number(ip.split('.')[3]),
    ip,
    pool: 'a',
    entry: { podUID: `uid-${name}`, namespace: 'default', name, containerID: `c-${name}`, ifname: 'eth0', node: 'node-1', at: minutesAgo(10), network: 'net', ...overrides },
  };
}

function pod(name: string, overrides: Partial<PodView> = {}): PodView {
  return { namespace: 'default', name, uid: `uid-${name}`, nodeName: 'node-1', phase: 'Running', deletionTimestamp: undefined, owner: undefined, ...overrides };
}

function endpoint(name: string, overrides: Partial<EndpointView['spec']> = {}, ip = '10.0.0.10'): EndpointView {
  return {
    namespace: 'default',
    name,
    resourceVersion: '7',
    spec: { podUID: `uid-${name}`, node: 'node-1', nics: [{ interface: 'eth0', containerID: `c-${name}`, ipv4: ip, ipv4Pool: 'a' }], ...overrides },
  };
}

const readyNode: NodeView = { name: 'node-1', ready: true, outOfService: false };
const sts = (replicas: number): StatefulSetView => ({ namespace: 'default', name: 'db', replicas, ordinalsStart: 0 });
const stsOwner = { kind: 'StatefulSet', name: 'db' };

/** Every reservation seen by the controller for 10 minutes, unless `seenForMs` says otherwise. */
function world(parts: Partial<GcWorld>): GcWorld {
  const reservations = parts.reservations ?? [];
  const seenForMs = new Map(reservations.map((r) => [reservationKey(r), 10 * 60_000]));
  for (const [key, ms] of parts.seenForMs ?? []) seenForMs.set(key, ms);
  return { pods: [], nodes: [readyNode], endpoints: [], statefulSets: [], now, ...parts, reservations, seenForMs };
}

/** How long the controller has seen each of these reservations. */
const seen = (ms: number, ...reservations: Reservation[]) => new Map(reservations.map((r) => [reservationKey(r), ms]));

const reasons = (w: GcWorld, c = config) => planGc(w, c).releases.map((r) => `${r.reservation.entry.name}:${r.reason}`);

test('U-GC-01 a live pod whose Endpoint records the address keeps it', (t) => {
  t.deepEqual(reasons(world({ reservations: [reservation('web')], pods: [pod('web')], endpoints: [endpoint('web')] })), []);
});

test('U-GC-02 no pod of that name: pod-deleted', (t) => {
  t.deepEqual(reasons(world({ reservations: [reservation('web')] })), ['web:pod-deleted']);
});

test('U-GC-03 a reservation the controller has seen for less than the allocation grace is never freed, whatever else holds', (t) => {
  const young = reservation('web');
  t.deepEqual(reasons(world({ reservations: [young], seenForMs: seen(15_000, young) })), [], 'pod gone, but seen for 15 s only');
  t.deepEqual(reasons(world({ reservations: [young], pods: [pod('web')], seenForMs: seen(15_000, young) })), [], 'no Endpoint yet: an ADD in flight');
  t.deepEqual(reasons(world({ reservations: [young], seenForMs: seen(15_000, young) }), { ...config, allocationGraceSeconds: 10 }), ['web:pod-deleted']);
  t.deepEqual(reasons({ ...world({}), reservations: [young], seenForMs: new Map() }), [], 'never seen before: 0 ms old');
});

test('U-GC-04 a pod of the same name with another UID: pod-recreated', (t) => {
  t.deepEqual(reasons(world({ reservations: [reservation('web')], pods: [pod('web', { uid: 'uid-new' })] })), ['web:pod-recreated']);
});

test('U-GC-05 a StatefulSet pod is never freed by name alone: gone or re-created, its address is kept while the set wants the ordinal', (t) => {
  const held = reservation('db-1');
  const record = endpoint('db-1', { ownerKind: 'StatefulSet', ownerName: 'db' });
  t.deepEqual(reasons(world({ reservations: [held], endpoints: [record], statefulSets: [sts(2)] })), [], 'pod deleted, set wants db-1');
  t.deepEqual(reasons(world({ reservations: [held], pods: [pod('db-1', { uid: 'uid-new', owner: stsOwner })], statefulSets: [sts(2)] })), [], 're-created');
  t.deepEqual(reasons(world({ reservations: [held], endpoints: [record], statefulSets: [sts(1)] })), ['db-1:pod-deleted'], 'scaled below the ordinal');
  t.deepEqual(reasons(world({ reservations: [held], endpoints: [record] })), ['db-1:pod-deleted'], 'the set is gone');
});

test('U-GC-06 a completed pod (Succeeded or Failed) frees its address; Pending and Running do not', (t) => {
  for (const phase of ['Succeeded', 'Failed']) {
    t.deepEqual(reasons(world({ reservations: [reservation('job')], pods: [pod('job', { phase })], endpoints: [endpoint('job')] })), ['job:pod-completed']);
  }
  for (const phase of ['Pending', 'Running', undefined]) {
    t.deepEqual(reasons(world({ reservations: [reservation('job')], pods: [pod('job', { phase })], endpoints: [endpoint('job')] })), []);
  }
});

test('U-GC-07 Terminating past the deletion time plus the margin on a node that is gone or out-of-service: node-lost; on one merely NotReady only when opted in', (t) => {
  const terminating = (secondsAgo: number) => pod('web', { deletionTimestamp: new Date(now.getTime() - secondsAgo * 1000) });
  const base = { reservations: [reservation('web')], endpoints: [endpoint('web')] };
  const notReady: NodeView = { name: 'node-1', ready: false, outOfService: false };
  const fenced: NodeView = { name: 'node-1', ready: false, outOfService: true };
  const optedIn = { ...config, releaseOnNodeLost: true };
  t.false(config.releaseOnNodeLost, 'off by default');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(3600)], nodes: [notReady] })), [], 'NotReady may be a node cut off from the API server, its pods running on');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(31)], nodes: [fenced] })), ['web:node-lost'], 'out-of-service taint');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(31)], nodes: [{ ...fenced, ready: true }] })), ['web:node-lost'], 'the taint is the fencing signal, whatever Ready says');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(31)], nodes: [] })), ['web:node-lost'], 'node object gone');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(29)], nodes: [fenced] })), [], 'within the margin');
  t.deepEqual(reasons(world({ ...base, pods: [pod('web')], nodes: [fenced] })), [], 'not Terminating');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(31)], nodes: [notReady] }), optedIn), ['web:node-lost'], 'opted in: NotReady is enough');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(29)], nodes: [notReady] }), optedIn), [], 'opted in, within the margin');
  t.deepEqual(reasons(world({ ...base, pods: [terminating(3600)] }), optedIn), [], 'node Ready: its kubelet will run DEL');
  t.deepEqual(reasons(world({ ...base, pods: [pod('web')], nodes: [notReady] }), optedIn), [], 'opted in, not Terminating: the node may come back');
});

test('U-GC-08 a StatefulSet pod stuck Terminating on a lost node keeps its address for its replacement', (t) => {
  const stuck = pod('db-0', { owner: stsOwner, deletionTimestamp: new Date(now.getTime() - 3600_000) });
  t.deepEqual(reasons(world({ reservations: [reservation('db-0')], pods: [stuck], nodes: [], endpoints: [endpoint('db-0')], statefulSets: [sts(1)] })), []);
});

test('U-GC-09 a live pod whose Endpoint gives the NIC another sandbox or address: stale-sandbox', (t) => {
  const live = { pods: [pod('web')] };
  const oldSandbox = reservation('web', { containerID: 'c-old' });
  t.deepEqual(reasons(world({ ...live, reservations: [oldSandbox], endpoints: [endpoint('web')] })), ['web:stale-sandbox']);
  const otherAddress = reservation('web', {}, '10.0.0.99');
  t.deepEqual(reasons(world({ ...live, reservations: [otherAddress], endpoints: [endpoint('web')] })), ['web:stale-sandbox']);
  const otherNic = reservation('web', { ifname: 'net1' });
  t.deepEqual(reasons(world({ ...live, reservations: [otherNic], endpoints: [endpoint('web')] })), ['web:stale-sandbox']);
});

test('U-GC-10 a live pod with no Endpoint, or an Endpoint of an earlier pod of its name, past the grace: no-endpoint', (t) => {
  t.deepEqual(reasons(world({ reservations: [reservation('web')], pods: [pod('web')] })), ['web:no-endpoint']);
  t.deepEqual(reasons(world({ reservations: [reservation('web')], pods: [pod('web')], endpoints: [endpoint('web', { podUID: 'uid-old' })] })), ['web:no-endpoint']);
});

test('U-GC-11 a pod with two NICs and two families keeps each recorded address', (t) => {
  const record = endpoint('web', { nics: [{ interface: 'eth0', containerID: 'c-web', ipv4: '10.0.0.10', ipv4Pool: 'a', ipv6: 'fd00::10', ipv6Pool: 'a6' }, { interface: 'net1', containerID: 'c-web', ipv4: '10.0.0.20', ipv4Pool: 'a' }] });
  const held = [reservation('web'), { ...reservation('web', {}, '10.0.0.20'), entry: { ...reservation('web').entry, ifname: 'net1' } }, { ...reservation('web'), ip: 'fd00::10', pool: 'a6' }];
  t.deepEqual(reasons(world({ reservations: held, pods: [pod('web')], endpoints: [record] })), []);
});

test('U-GC-12 Endpoints of pods that are gone and hold nothing are stale; kept ones and live ones are not', (t) => {
  const plan = planGc(
    world({
      pods: [pod('live')],
      endpoints: [endpoint('gone'), endpoint('live'), endpoint('db-0', { ownerKind: 'StatefulSet', ownerName: 'db' }), endpoint('holding')],
      statefulSets: [sts(1)],
      reservations: [reservation('holding')],
      seenForMs: seen(6_000, reservation('holding')),
    }),
    config,
  );
  t.deepEqual(plan.staleEndpoints.map((e) => e.name), ['gone']);
  t.deepEqual(plan.releases, []);
});

test('U-GC-13 many reservations: only the zombies, each once, with its reason', (t) => {
  const w = world({
    reservations: [reservation('a', {}, '10.0.0.1'), reservation('b', {}, '10.0.0.2'), reservation('c', {}, '10.0.0.3'), reservation('d', {}, '10.0.0.4')],
    pods: [pod('a'), pod('c', { uid: 'other' })],
    endpoints: [endpoint('a', {}, '10.0.0.1')],
    seenForMs: seen(0, reservation('d', {}, '10.0.0.4')),
  });
  t.deepEqual(reasons(w), ['b:pod-deleted', 'c:pod-recreated']);
});

test('U-GC-14 the grace counts how long this controller has seen the reservation, never the agent\'s clock (entry.at)', (t) => {
  // An agent whose clock runs an hour behind stamps a reservation it takes now.
  const behind = reservation('web', { at: minutesAgo(60) });
  t.deepEqual(reasons(world({ reservations: [behind], pods: [pod('web')], seenForMs: seen(129, behind) })), [], 'stamped an hour ago, seen for 129 ms: an ADD may be in flight');
  // One whose clock runs an hour ahead: its reservation is judged once seen for the grace.
  const ahead = reservation('web', { at: new Date(now.getTime() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
  t.deepEqual(reasons(world({ reservations: [ahead], pods: [pod('web')], seenForMs: seen(30_000, ahead) })), ['web:no-endpoint']);
  t.deepEqual(reasons(world({ reservations: [ahead], pods: [pod('web')], seenForMs: seen(29_999, ahead) })), []);
});

test('U-GC-15 an age belongs to the reservation (address and holder): a new holder of the same address, or another address of the same holder, starts at 0', (t) => {
  const old = reservation('web', { containerID: 'c-old' });
  const renewed = reservation('web');
  const moved = reservation('web', {}, '10.0.0.11');
  const w = (r: Reservation): GcWorld => ({ ...world({ pods: [pod('web')] }), reservations: [r], seenForMs: seen(60_000, old) });
  t.deepEqual(reasons(w(old)), ['web:no-endpoint']);
  t.deepEqual(reasons(w(renewed)), [], 'same address, new sandbox: not the one seen for a minute');
  t.deepEqual(reasons(w(moved)), [], 'same sandbox, another address');
});
