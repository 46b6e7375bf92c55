// The schemas of the Kubernetes resources added with deploy/: Subnet, ReservedIP, Endpoint, IPBlock.
import test from '../support/test.ts';
import type * as z from 'zod';
import { EndpointSpec } from '../../netconf/endpoint.ts';
import { IPBlock, IPBlockSpec } from '../../netconf/ipblock.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { ReservedIPSpec } from '../../netconf/reserved-ip.ts';
import { Subnet, SubnetSpec } from '../../netconf/subnet.ts';
import { throwsCni } from '../netconf/cni-assert.ts';

const subnetV4: z.input<typeof SubnetSpec> = {
  ipVersion: 4, subnet: '10.6.0.0/16', ips: ['10.6.1.0-10.6.9.255'], excludeIPs: ['10.6.5.0/24'], gateway: '10.6.0.1',
  routes: [{ dst: '10.7.0.0/16', gw: '10.6.0.254' }], vlan: 7,
};

test('M-10 a Subnet parses unchanged, status included', (t) => {
  const subnet = { apiVersion: 'nicpool.io/v1', kind: 'Subnet', metadata: { name: 'sn' }, spec: subnetV4,
    status: { allocatedIPCount: 2, totalIPCount: 2048, controlledIPPools: ['auto-web-v4'] } };
  t.deepEqual(parseOrThrow(Subnet, subnet), subnet);
});

test('M-11 a Subnet gets IPPool semantic checks: family, host bits, ranges outside, gateway inside ips', (t) => {
  const parse = (spec: Record<string, unknown>) => parseOrThrow(SubnetSpec, spec, { root: 'spec' });
  throwsCni(t, () => parse({ ...subnetV4, subnet: 'fd00::/64' }), 7, 'spec.subnet: "fd00::/64" is not an IPv4 subnet (ipVersion is 4)');
  throwsCni(t, () => parse({ ...subnetV4, subnet: '10.6.0.1/16' }), 7, 'spec.subnet: "10.6.0.1/16" has host bits set');
  throwsCni(t, () => parse({ ...subnetV4, ips: ['10.9.0.1'] }), 7, 'spec.ips[0]: "10.9.0.1" lies outside subnet 10.6.0.0/16');
  throwsCni(t, () => parse({ ...subnetV4, gateway: '10.6.1.1' }), 7, /^spec\.gateway: "10\.6\.1\.1" lies inside ips/);
  throwsCni(t, () => parse({ ...subnetV4, gateway: 'nope' }), 7, 'spec.gateway: "nope" is not an IPv4 or IPv6 address');
});

test('M-12 a Subnet has no pool keys: default, affinities and the like are unsupported (code 2)', (t) => {
  throwsCni(t, () => parseOrThrow(SubnetSpec, { ...subnetV4, default: true }, { root: 'spec' }), 2, 'spec: unsupported key "default"');
});

test('M-13 a ReservedIP takes addresses, ranges and CIDRs of its family only', (t) => {
  const parse = (spec: Record<string, unknown>) => parseOrThrow(ReservedIPSpec, spec, { root: 'spec' });
  t.deepEqual(parse({ ipVersion: 4, ips: ['10.6.0.1', '10.6.0.10-10.6.0.20', '10.6.1.0/30'] }).ips.length, 3);
  throwsCni(t, () => parse({ ipVersion: 6, ips: ['10.6.0.1'] }), 7, 'spec.ips[0]: "10.6.0.1" is not an IPv6 address or range');
  throwsCni(t, () => parse({ ipVersion: 4, ips: ['10.6.0.9-10.6.0.1'] }), 7, 'spec.ips[0]: range start is after its end, got "10.6.0.9-10.6.0.1"');
  throwsCni(t, () => parse({ ipVersion: 4, ips: [] }), 7, 'spec.ips: [] must list at least one address or range');
});

const endpoint: z.input<typeof EndpointSpec> = {
  podUID: '0a1b', node: 'node1', ownerKind: 'StatefulSet', ownerName: 'web',
  nics: [{ interface: 'net1', containerID: 'c1', ipv4: '10.6.0.10', ipv6: 'fd00:6::10', ipv4Pool: 'a-v4', ipv6Pool: 'a-v6', vlan: 7 }, { interface: 'net2', containerID: 'c1', ipv6: 'fd00:7::10' }],
};

test('M-14 an Endpoint parses unchanged; addresses must be of their family', (t) => {
  const parse = (spec: Record<string, unknown>) => parseOrThrow(EndpointSpec, spec, { root: 'spec' });
  t.deepEqual(parse(endpoint), endpoint);
  throwsCni(t, () => parse({ ...endpoint, nics: [{ interface: 'net1', containerID: 'c1', ipv4: 'fd00::1' }] }), 7, 'spec.nics[0].ipv4: "fd00::1" is not an IPv4 address');
  throwsCni(t, () => parse({ ...endpoint, nics: [{ interface: 'net1', containerID: 'c1', ipv6: '10.0.0.1' }] }), 7, 'spec.nics[0].ipv6: "10.0.0.1" is not an IPv6 address');
});

test('M-15 an Endpoint NIC holds an address; a pool needs its address; owners come in pairs; NICs are unique', (t) => {
  const parse = (spec: Record<string, unknown>) => parseOrThrow(EndpointSpec, spec, { root: 'spec' });
  throwsCni(t, () => parse({ ...endpoint, nics: [{ interface: 'net1', containerID: 'c1' }] }), 7, 'spec.nics[0].ipv4: missing, must be set when ipv6 is not (a NIC holds at least one address)');
  throwsCni(t, () => parse({ ...endpoint, nics: [{ interface: 'net1', containerID: 'c1', ipv6: 'fd00::1', ipv4Pool: 'p' }] }), 7, 'spec.nics[0].ipv4Pool: "p" must not be set without ipv4');
  throwsCni(t, () => parse({ ...endpoint, ownerName: undefined }), 7, 'spec.ownerName: missing, must be set with ownerKind and ownerName together');
  throwsCni(t, () => parse({ ...endpoint, nics: [{ interface: 'net1', containerID: 'c1', ipv4: '10.0.0.1' }, { interface: 'net1', containerID: 'c1', ipv4: '10.0.0.2' }] }), 7,
    'spec.nics[1].interface: "net1" is listed twice (one entry per NIC)');
  throwsCni(t, () => parse({ ...endpoint, nics: [{ interface: 'a-very-long-interface', containerID: 'c1', ipv4: '10.0.0.1' }] }), 7,
    /^spec\.nics\[0\]\.interface: "a-very-long-interface" is not a valid interface name/);
});

const allocation = { podUID: 'u1', namespace: 'shop', name: 'web-0', containerID: 'c1', ifname: 'net1', node: 'node1', at: '2026-01-02T03:04:05Z' };

test('M-16 an IPBlock: at most 256 addresses, not past the family end, allocations keyed by offset', (t) => {
  const parseSpec = (spec: Record<string, unknown>) => parseOrThrow(IPBlockSpec, spec, { root: 'spec' });
  t.deepEqual(parseSpec({ pool: 'a-v4', start: '10.6.0.0', size: 256 }), { pool: 'a-v4', start: '10.6.0.0', size: 256 });
  throwsCni(t, () => parseSpec({ pool: 'a-v4', start: '10.6.0.0', size: 257 }), 7, /^spec\.size: /);
  throwsCni(t, () => parseSpec({ pool: 'a-v4', start: '10.6.0.0', size: 0 }), 7, /^spec\.size: /);
  throwsCni(t, () => parseSpec({ pool: 'a-v4', start: '255.255.255.250', size: 8 }), 7, 'spec.size: 8 is too large: from 255.255.255.250 the block would run past the last IPv4 address');
  throwsCni(t, () => parseSpec({ pool: 'a-v4', start: '10.6.0.x', size: 8 }), 7, 'spec.start: "10.6.0.x" is not an IPv4 or IPv6 address');
  const block = { metadata: { name: 'a-v4.0' }, spec: { pool: 'a-v4', start: 'fd00::', size: 16 }, status: { allocations: { '0': allocation, '15': { ...allocation, ifname: 'net2' } } } };
  t.deepEqual(parseOrThrow(IPBlock, block), block);
  t.deepEqual(parseOrThrow(IPBlock, { ...block, status: {} }).status?.allocations, {});
});

test('M-17 IPBlock allocations: offsets in range and canonical, one address per attachment, complete records', (t) => {
  const block = (allocations: Record<string, unknown>) => ({ metadata: { name: 'b' }, spec: { pool: 'p', start: '10.0.0.0', size: 16 }, status: { allocations } });
  throwsCni(t, () => parseOrThrow(IPBlock, block({ '16': allocation })), 7, /^status\.allocations\.16: .* lies past the end of the block \(size 16\)$/);
  throwsCni(t, () => parseOrThrow(IPBlock, block({ '01': allocation })), 7, /^status\.allocations\.01: \{.*… \(\d+ chars\) is keyed by no address offset \(0…255, no leading zeros\)$/);
  throwsCni(t, () => parseOrThrow(IPBlock, block({ '1': allocation, '2': allocation })), 7, /^status\.allocations\.2: .* is held by attachment c1\/net1, which already holds offset 1$/);
  throwsCni(t, () => parseOrThrow(IPBlock, block({ '1': { ...allocation, at: 'yesterday' } })), 7, /^status\.allocations\.1\.at: /);
  throwsCni(t, () => parseOrThrow(IPBlock, block({ '1': { ...allocation, node: undefined } })), 7, /^status\.allocations\.1\.node: missing/);
});
