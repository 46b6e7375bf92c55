import test from '../support/test.ts';
import type * as z from 'zod';
import { IPPool, IPPoolSpec } from '../../netconf/ippool.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

type SpecInput = z.input<typeof IPPoolSpec>;

const v4: SpecInput = { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.10-10.6.0.20'] };
const v6: SpecInput = { ipVersion: 6, subnet: 'fd00:6::/64', ips: ['fd00:6::10-fd00:6::20'] };

function parseSpec(spec: Record<string, unknown>) {
  return parseOrThrow(IPPoolSpec, spec, { root: 'spec' });
}

test('U-NC-57 a complete IPv4 pool parses unchanged (ranges, single IPs, CIDRs, routes, selectors, dns)', (t) => {
  const spec: SpecInput = {
    ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.10-10.6.0.20', '10.6.0.30', '10.6.0.64/26'],
    excludeIPs: ['10.6.0.15', '10.6.0.64/30'], gateway: '10.6.0.1', routes: [{ dst: '10.7.0.0/16', gw: '10.6.0.254' }],
    vlan: 4094, default: true, disable: false, nodeAffinity: { matchLabels: { 'kubernetes.io/hostname': 'n1' } },
    namespaceAffinity: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a'] }] },
    podAffinity: {}, multusName: ['macvlan-a'], dns: { nameservers: ['10.6.0.2'] }, fixedIPs: true,
  };
  t.deepEqual(parseSpec(spec), spec);
  t.deepEqual(parseSpec(v6), v6);
});

test('U-NC-58 a subnet of the other family than ipVersion is code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, subnet: 'fd00::/64' }), 7, 'spec.subnet: "fd00::/64" is not an IPv4 subnet (ipVersion is 4)');
  throwsCni(t, () => parseSpec({ ...v6, subnet: '10.6.0.0/24' }), 7, 'spec.subnet: "10.6.0.0/24" is not an IPv6 subnet (ipVersion is 6)');
});

test('U-NC-59 a subnet with host bits set is code 7 (IPv4 and IPv6)', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, subnet: '10.6.0.1/24' }), 7, 'spec.subnet: "10.6.0.1/24" has host bits set');
  throwsCni(t, () => parseSpec({ ...v6, subnet: 'fd00:6::1/64' }), 7, 'spec.subnet: "fd00:6::1/64" has host bits set');
});

test('U-NC-60 a subnet that is not a CIDR is code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, subnet: '10.6.0.0' }), 7, 'spec.subnet: "10.6.0.0" is not a CIDR such as 10.6.0.0/24 or fd00::/64');
});

test('U-NC-61 ips entries outside the subnet are code 7, including a range that only straddles it', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, ips: ['10.6.1.5', '10.6.0.250-10.6.1.2', '10.6.0.0/23'] }), 7,
    'spec.ips[0]: "10.6.1.5" lies outside subnet 10.6.0.0/24; spec.ips[1]: "10.6.0.250-10.6.1.2" lies outside subnet 10.6.0.0/24; ' +
    'spec.ips[2]: "10.6.0.0/23" lies outside subnet 10.6.0.0/24');
  throwsCni(t, () => parseSpec({ ...v6, ips: ['fd00:7::1'] }), 7, 'spec.ips[0]: "fd00:7::1" lies outside subnet fd00:6::/64');
});

test('U-NC-62 ips entries of the wrong family are code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, ips: ['fd00:6::10', 'fd00:6::10-fd00:6::20'] }), 7,
    'spec.ips[0]: "fd00:6::10" is not an IPv4 address or range; spec.ips[1]: "fd00:6::10-fd00:6::20" is not an IPv4 address or range');
  throwsCni(t, () => parseSpec({ ...v6, ips: ['10.6.0.0/28'] }), 7, 'spec.ips[0]: "10.6.0.0/28" is not an IPv6 address or range');
});

test('U-NC-63 malformed ranges are code 7 with a phrase for each fault', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, ips: ['10.6.0.20-10.6.0.10', '10.6.0.1-x', 'x-10.6.0.1', '10.6.0.1-fd00::1', '1-2-3', '10.6.0.0/33', '10.6.0.300'] }), 7,
    'spec.ips[0]: range start is after its end, got "10.6.0.20-10.6.0.10"; ' +
    'spec.ips[1]: range end is not an IPv4 or IPv6 address, got "10.6.0.1-x"; ' +
    'spec.ips[2]: range start is not an IPv4 or IPv6 address, got "x-10.6.0.1"; ' +
    'spec.ips[3]: range mixes IPv4 and IPv6, got "10.6.0.1-fd00::1"; ' +
    'spec.ips[4]: "1-2-3" is not an IPv4 or IPv6 address, range "a-b" or CIDR; ' +
    'spec.ips[5]: "10.6.0.0/33" is not a valid CIDR; ' +
    'spec.ips[6]: "10.6.0.300" is not an IPv4 or IPv6 address, range "a-b" or CIDR');
});

test('U-NC-64 excludeIPs entries outside the subnet or malformed are code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, excludeIPs: ['10.6.0.15', '10.6.2.0/24', 'nope'] }), 7,
    'spec.excludeIPs[1]: "10.6.2.0/24" lies outside subnet 10.6.0.0/24; ' +
    'spec.excludeIPs[2]: "nope" is not an IPv4 or IPv6 address, range "a-b" or CIDR');
});

test('U-NC-65 a gateway outside the subnet, of the wrong family or not an address is code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, gateway: '10.9.0.1' }), 7, 'spec.gateway: "10.9.0.1" lies outside subnet 10.6.0.0/24');
  throwsCni(t, () => parseSpec({ ...v6, gateway: '10.6.0.1' }), 7, 'spec.gateway: "10.6.0.1" is not an IPv6 address');
  throwsCni(t, () => parseSpec({ ...v4, gateway: 'gw' }), 7, 'spec.gateway: "gw" is not an IPv4 or IPv6 address');
});

test('U-NC-66 a gateway inside ips is code 7 (a gateway is never allocated)', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, ips: ['10.6.0.0/24'], gateway: '10.6.0.1' }), 7,
    'spec.gateway: "10.6.0.1" lies inside ips (a gateway is never allocated; exclude it or move it)');
  throwsCni(t, () => parseSpec({ ...v6, ips: ['fd00:6::1-fd00:6::ff'], gateway: 'fd00:6::1' }), 7,
    'spec.gateway: "fd00:6::1" lies inside ips (a gateway is never allocated; exclude it or move it)');
});

test('U-NC-67 a gateway inside ips is accepted when excludeIPs also holds it (single or range)', (t) => {
  t.is(parseSpec({ ...v4, ips: ['10.6.0.0/24'], gateway: '10.6.0.1', excludeIPs: ['10.6.0.1'] }).gateway, '10.6.0.1');
  t.is(parseSpec({ ...v4, ips: ['10.6.0.0/24'], gateway: '10.6.0.1', excludeIPs: ['10.6.0.0-10.6.0.9'] }).gateway, '10.6.0.1');
  t.is(parseSpec({ ...v4, gateway: '10.6.0.1' }).gateway, '10.6.0.1');
});

test('U-NC-68 a route dst of the other family, a route gw outside the subnet and a bad dst are code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, routes: [{ dst: 'fd00::/8', gw: '10.6.0.1' }, { dst: '10.7.0.0/16', gw: '10.8.0.1' }] }), 7,
    'spec.routes[0].dst: "fd00::/8" is not an IPv4 CIDR; spec.routes[1].gw: "10.8.0.1" lies outside subnet 10.6.0.0/24');
  throwsCni(t, () => parseSpec({ ...v6, routes: [{ dst: 'fd01::/64', gw: '10.6.0.1' }] }), 7,
    'spec.routes[0].gw: "10.6.0.1" is not an IPv6 address');
  throwsCni(t, () => parseSpec({ ...v4, routes: [{ dst: 'default', gw: '10.6.0.1' }] }), 7,
    'spec.routes[0].dst: "default" is not a CIDR such as 10.6.0.0/24 or fd00::/64');
});

test('U-NC-69 an empty ips list is code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, ips: [] }), 7, 'spec.ips: [] must list at least one address or range');
});

test('U-NC-70 an unknown spec key is code 2 naming it; metadata stays open for labels', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, excludeIps: ['10.6.0.15'] }), 2, 'spec: unsupported key "excludeIps"');
  throwsCni(t, () => parseOrThrow(IPPool, { metadata: { name: 'a' }, spec: v4, extra: 1 }), 2, '(root): unsupported key "extra"');
  const parsed = parseOrThrow(IPPool, { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name: 'a', labels: { team: 'x' } }, spec: v4 });
  t.deepEqual(parsed.metadata, { name: 'a', labels: { team: 'x' } });
});

test('U-NC-71 ipVersion other than 4/6, vlan above 4094 and an invalid pool name are code 7', (t) => {
  throwsCni(t, () => parseSpec({ ...v4, ipVersion: 5 }), 7, 'spec.ipVersion: invalid input, got 5');
  throwsCni(t, () => parseSpec({ ...v4, vlan: 4095 }), 7, 'spec.vlan: too big: expected number to be <=4094, got 4095');
  throwsCni(t, () => parseOrThrow(IPPool, { metadata: { name: 'Pool_A' }, spec: v4 }), 7,
    'metadata.name: "Pool_A" is not a valid Kubernetes object name');
  throwsCni(t, () => parseOrThrow(IPPool, { kind: 'Subnet', metadata: { name: 'a' }, spec: v4 }), 7,
    'kind: invalid input: expected "IPPool", got "Subnet"');
});
