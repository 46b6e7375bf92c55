// The admission rules of nicpool-controller's webhook, as a pure function of the request and
// what the controller knows of the cluster.
import test from '../support/test.ts';
import type { AdmissionOperation, AdmissionRequest } from '../../netconf/admission.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { reviewAdmission, type AdmissionContext } from '../../ipam/webhook/validate.ts';

type Json = Record<string, unknown>;

function pool(name: string, spec: Json, metadata: Json = {}): Json {
  return { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name, ...metadata }, spec };
}

const specA = { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.10-10.6.0.20'], gateway: '10.6.0.1' };
const specB = { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.15-10.6.0.30'], gateway: '10.6.0.1' };
const specC = { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.21-10.6.0.40'], gateway: '10.6.0.1' };
const specV6 = { ipVersion: 6, subnet: 'fd00:6::/64', ips: ['fd00:6::10-fd00:6::20'] };

const parsed = (object: Json): IPPool => parseOrThrow(IPPool, object);

function subnet(name: string, spec: Json, metadata: Json = {}): Json {
  return { apiVersion: 'nicpool.io/v1', kind: 'Subnet', metadata: { name, ...metadata }, spec };
}

const subnetSpec = { ipVersion: 4, subnet: '10.6.0.0/16', ips: ['10.6.1.0-10.6.9.255'], gateway: '10.6.0.1' };
const autoPool = (name: string, ips: string) =>
  parsed(pool(name, { ipVersion: 4, subnet: '10.6.0.0/16', ips: [ips], gateway: '10.6.0.1' }, { labels: { 'nicpool.io/subnet': 'sn' } }));

interface World {
  pools?: Json[];
  allocated?: Record<string, number>;
  autoPools?: Record<string, IPPool[]>;
}

function context(world: World = {}): AdmissionContext {
  return {
    pools: (world.pools ?? []).map(parsed),
    allocated: (name) => world.allocated?.[name] ?? 0,
    autoPoolsOf: (name) => world.autoPools?.[name] ?? [],
  };
}

/** A request as the API server sends it: the name from the object, null object on DELETE. */
function request(operation: AdmissionOperation, kind: string, object: Json | null, oldObject?: Json, group = 'nicpool.io'): AdmissionRequest {
  const named = object ?? oldObject;
  const name = (named?.metadata as { name?: string } | undefined)?.name ?? '';
  return { uid: 'u-1', operation, kind: { group, version: 'v1', kind }, name, object, ...(oldObject === undefined ? {} : { oldObject }) };
}

const allowed = { allowed: true };
const refused = (message: string) => ({ allowed: false, message });

test('W-01 a valid IPPool is allowed on CREATE and UPDATE; IPv4 and IPv6 pools never conflict', (t) => {
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', pool('a', specA)), context()), allowed);
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', { ...specA, ips: ['10.6.0.10-10.6.0.25'] }), pool('a', specA)), context()), allowed);
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', pool('v6', specV6)), context({ pools: [pool('a', specA)] })), allowed);
});

test('W-02 an IPPool that fails the IPPool schema is refused with the parse message naming field and value', (t) => {
  const create = (spec: Json) => reviewAdmission(request('CREATE', 'IPPool', pool('a', spec)), context());
  t.deepEqual(create({ ...specA, ips: ['10.9.0.1'] }), refused('spec.ips[0]: "10.9.0.1" lies outside subnet 10.6.0.0/24'));
  t.deepEqual(create({ ...specA, gateway: '10.6.0.12' }), refused('spec.gateway: "10.6.0.12" lies inside ips (a gateway is never allocated; exclude it or move it)'));
  t.deepEqual(create({ ...specA, ips: ['10.6.0.20-10.6.0.10'] }), refused('spec.ips[0]: range start is after its end, got "10.6.0.20-10.6.0.10"'));
  t.deepEqual(create({ ...specA, subnet: 'fd00::/64' }), refused('spec.subnet: "fd00::/64" is not an IPv4 subnet (ipVersion is 4)'));
  t.deepEqual(create({ ...specA, colour: 'blue' }), refused('spec: unsupported key "colour"'));
  // The same rule holds on UPDATE.
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', { ...specA, ips: ['10.9.0.1'] }), pool('a', specA)), context()),
    refused('spec.ips[0]: "10.9.0.1" lies outside subnet 10.6.0.0/24'));
});

test('W-03 an IPPool overlapping another is refused naming both pools and the shared range; a neighbour is allowed', (t) => {
  const world = context({ pools: [pool('a', specA)] });
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', pool('b', specB)), world), refused('pools: "a" and "b" overlap at 10.6.0.15-10.6.0.20'));
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('c', specB), pool('c', specC)), world), refused('pools: "a" and "c" overlap at 10.6.0.15-10.6.0.20'));
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', pool('c', specC)), world), allowed);
});

test('W-04 an UPDATE is not judged against its own stored version', (t) => {
  const world = context({ pools: [pool('a', specA), pool('c', specC)] });
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', { ...specA, ips: ['10.6.0.10-10.6.0.19'] }), pool('a', specA)), world), allowed);
});

test('W-05 two other pools that already overlap do not block an unrelated pool; a pool overlapping one of them is still refused', (t) => {
  const world = context({ pools: [pool('a', specA), pool('b', specB)] });
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', pool('d', { ...specA, ips: ['10.6.0.100-10.6.0.110'] })), world), allowed);
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', pool('c', specC)), world), refused('pools: "b" and "c" overlap at 10.6.0.21-10.6.0.30'));
});

test('W-06 changing spec.subnet or spec.ipVersion of a pool with allocated IPs is refused, naming the count', (t) => {
  const moved = { ...specA, subnet: '10.7.0.0/24', ips: ['10.7.0.10-10.7.0.20'], gateway: '10.7.0.1' };
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', moved), pool('a', specA)), context({ allocated: { a: 3 } })),
    refused('spec.subnet: cannot change "10.6.0.0/24" to "10.7.0.0/24" while 3 IPs of pool "a" are allocated'));
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', { ...specV6 }), pool('a', specA)), context({ allocated: { a: 1 } })),
    refused('spec.subnet: cannot change "10.6.0.0/24" to "fd00:6::/64" while 1 IP of pool "a" is allocated; ' +
      'spec.ipVersion: cannot change 4 to 6 while 1 IP of pool "a" is allocated'));
});

test('W-07 the same changes with nothing allocated are allowed, and so are other changes of a pool in use', (t) => {
  const moved = { ...specA, subnet: '10.7.0.0/24', ips: ['10.7.0.10-10.7.0.20'], gateway: '10.7.0.1' };
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', moved), pool('a', specA)), context()), allowed);
  const inUse = context({ allocated: { a: 3 } });
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', { ...specA, ips: ['10.6.0.10-10.6.0.50'] }), pool('a', specA)), inUse), allowed);
  // One subnet, two spellings: no change.
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('v6', specV6), pool('v6', { ...specV6, subnet: 'fd00:6:0::/64' })), context({ allocated: { v6: 2 } })), allowed);
});

test('W-08 deleting a pool with allocated IPs is refused naming the count; an unused pool may go', (t) => {
  t.deepEqual(reviewAdmission(request('DELETE', 'IPPool', null, pool('a', specA)), context({ allocated: { a: 3 } })),
    refused('cannot delete pool "a" while 3 of its IPs are allocated'));
  t.deepEqual(reviewAdmission(request('DELETE', 'IPPool', null, pool('a', specA)), context({ allocated: { a: 1 } })),
    refused('cannot delete pool "a" while 1 of its IPs is allocated'));
  t.deepEqual(reviewAdmission(request('DELETE', 'IPPool', null, pool('a', specA)), context({ allocated: { b: 3 } })), allowed);
  // Without request.name the stored object names the pool.
  const unnamed = { ...request('DELETE', 'IPPool', null, pool('a', specA)), name: '' };
  t.deepEqual(reviewAdmission(unnamed, context({ allocated: { a: 2 } })), refused('cannot delete pool "a" while 2 of its IPs are allocated'));
});

test('W-09 an UPDATE that changes only metadata (finalizer removal, labels) is allowed, even of an object that is invalid now', (t) => {
  const invalid = { ...specA, ips: ['10.9.0.1'] };
  const finalized = pool('a', invalid, { finalizers: ['nicpool.io/in-use'], resourceVersion: '7' });
  const released = pool('a', invalid, { finalizers: [], resourceVersion: '8', labels: { team: 'x' } });
  const world = context({ pools: [pool('b', specA)], allocated: { a: 3 } });
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', released, finalized), world), allowed);
  t.deepEqual(reviewAdmission(request('UPDATE', 'Subnet', subnet('sn', { bad: true }), subnet('sn', { bad: true }, { finalizers: ['x'] })), world), allowed);
  // Not a blanket pass: a spec change of the same object is judged.
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', { ...invalid, vlan: 7 }), finalized), world),
    refused('spec.ips[0]: "10.9.0.1" lies outside subnet 10.6.0.0/24'));
});

test('W-10 any UPDATE of an object with metadata.deletionTimestamp set is allowed', (t) => {
  const deleting = { deletionTimestamp: '2026-01-27T10:00:00Z', finalizers: ['nicpool.io/in-use'] };
  const moved = { ...specA, subnet: '10.7.0.0/24', ips: ['10.9.0.1'] };
  t.deepEqual(reviewAdmission(request('UPDATE', 'IPPool', pool('a', moved, deleting), pool('a', specA, deleting)), context({ allocated: { a: 3 } })), allowed);
});

test('W-11 a Subnet must parse with the Subnet schema on CREATE and UPDATE', (t) => {
  t.deepEqual(reviewAdmission(request('CREATE', 'Subnet', subnet('sn', subnetSpec)), context()), allowed);
  t.deepEqual(reviewAdmission(request('CREATE', 'Subnet', subnet('sn', { ...subnetSpec, ips: ['10.9.0.1'] })), context()),
    refused('spec.ips[0]: "10.9.0.1" lies outside subnet 10.6.0.0/16'));
  t.deepEqual(reviewAdmission(request('UPDATE', 'Subnet', subnet('sn', { ...subnetSpec, default: true }), subnet('sn', subnetSpec)), context()),
    refused('spec: unsupported key "default"'));
});

test('W-12 a Subnet UPDATE that would leave an auto-pool outside its subnet is refused naming the pools; widening is allowed', (t) => {
  const world = context({ autoPools: { sn: [autoPool('auto-a', '10.6.1.10-10.6.1.12'), autoPool('auto-b', '10.6.2.10-10.6.2.12')] } });
  const moved = { ...subnetSpec, subnet: '10.7.0.0/16', ips: ['10.7.1.0-10.7.9.255'], gateway: '10.7.0.1' };
  t.deepEqual(reviewAdmission(request('UPDATE', 'Subnet', subnet('sn', moved), subnet('sn', subnetSpec)), world),
    refused('spec.subnet: cannot change "10.6.0.0/16" to "10.7.0.0/16": auto-pools auto-a (10.6.0.0/16), auto-b (10.6.0.0/16) would no longer lie inside it'));
  const narrowed = { ...subnetSpec, subnet: '10.6.0.0/17' };
  t.deepEqual(reviewAdmission(request('UPDATE', 'Subnet', subnet('sn', narrowed), subnet('sn', subnetSpec)), context({ autoPools: { sn: [autoPool('auto-a', '10.6.1.10-10.6.1.12')] } })),
    refused('spec.subnet: cannot change "10.6.0.0/16" to "10.6.0.0/17": auto-pool auto-a (10.6.0.0/16) would no longer lie inside it'));
  t.deepEqual(reviewAdmission(request('UPDATE', 'Subnet', subnet('sn', { ...subnetSpec, subnet: '10.6.0.0/15' }), subnet('sn', subnetSpec)), world), allowed);
  // Without auto-pools the subnet may move anywhere.
  t.deepEqual(reviewAdmission(request('UPDATE', 'Subnet', subnet('sn', moved), subnet('sn', subnetSpec)), context()), allowed);
});

test('W-13 deleting a Subnet with auto-pools is refused naming them; without any it may go', (t) => {
  const world = context({ autoPools: { sn: [autoPool('auto-a', '10.6.1.10-10.6.1.12'), autoPool('auto-b', '10.6.2.10-10.6.2.12')] } });
  t.deepEqual(reviewAdmission(request('DELETE', 'Subnet', null, subnet('sn', subnetSpec)), world),
    refused('cannot delete Subnet "sn": it would orphan auto-pools auto-a, auto-b'));
  t.deepEqual(reviewAdmission(request('DELETE', 'Subnet', null, subnet('other', subnetSpec)), world), allowed);
});

test('W-14 other kinds, other groups and CONNECT are allowed without a look', (t) => {
  const invalid = pool('a', { ...specA, ips: ['10.9.0.1'] });
  const world = context({ allocated: { a: 3 } });
  t.deepEqual(reviewAdmission(request('CONNECT', 'IPPool', invalid), world), allowed);
  t.deepEqual(reviewAdmission(request('CREATE', 'IPPool', invalid, undefined, 'example.com'), world), allowed);
  t.deepEqual(reviewAdmission(request('CREATE', 'ReservedIP', { metadata: { name: 'a' }, spec: 'nonsense' }), world), allowed);
  t.deepEqual(reviewAdmission(request('DELETE', 'IPBlock', null, { metadata: { name: 'a' } }), world), allowed);
  t.deepEqual(reviewAdmission(request('CREATE', 'Pod', { metadata: { name: 'a' } }, undefined, ''), world), allowed);
});
