import test from '../../support/test.ts';
import { allocatableList, compiled, ip } from '../fixtures.ts';

test('U-IP-01 an IPv4 /24 pool never allocates the network or broadcast address', (t) => {
  const pool = compiled({ name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.0-10.0.0.2', '10.0.0.254-10.0.0.255'] });
  t.deepEqual(allocatableList(pool), ['10.0.0.1', '10.0.0.2', '10.0.0.254']);
  const whole = compiled({ name: 'b', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.0/24'] });
  t.is(whole.allocatable.size(), 254n);
  t.is(whole.allocatable.toString(), '{10.0.0.1-10.0.0.254}');
});

test('U-IP-02 an IPv4 /31 keeps both addresses and a /32 keeps its one address (RFC 3021)', (t) => {
  t.deepEqual(allocatableList(compiled({ name: 'a', ipVersion: 4, subnet: '10.0.0.0/31', ips: ['10.0.0.0/31'] })), ['10.0.0.0', '10.0.0.1']);
  t.deepEqual(allocatableList(compiled({ name: 'b', ipVersion: 4, subnet: '10.0.0.7/32', ips: ['10.0.0.7'] })), ['10.0.0.7']);
  t.deepEqual(allocatableList(compiled({ name: 'c', ipVersion: 4, subnet: '10.0.0.0/30', ips: ['10.0.0.0/30'] })), ['10.0.0.1', '10.0.0.2']);
});

test('U-IP-03 an IPv6 pool excludes only the subnet base (anycast), not the last address', (t) => {
  const pool = compiled({ name: 'a', ipVersion: 6, subnet: 'fd00::/120', ips: ['fd00::0-fd00::2', 'fd00::fe-fd00::ff'] });
  t.deepEqual(allocatableList(pool), ['fd00::1', 'fd00::2', 'fd00::fe', 'fd00::ff']);
  const wide = compiled({ name: 'b', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::/64'] });
  t.is(wide.allocatable.size(), (1n << 64n) - 1n);
  t.false(wide.allocatable.has(ip('fd00::').value));
  t.true(wide.allocatable.has(ip('fd00::ffff:ffff:ffff:ffff').value));
});

test('U-IP-04 an IPv6 /127 and /128 keep every address (RFC 6164)', (t) => {
  t.deepEqual(allocatableList(compiled({ name: 'a', ipVersion: 6, subnet: 'fd00::/127', ips: ['fd00::/127'] })), ['fd00::', 'fd00::1']);
  t.deepEqual(allocatableList(compiled({ name: 'b', ipVersion: 6, subnet: 'fd00::5/128', ips: ['fd00::5'] })), ['fd00::5']);
});

test('U-IP-05 the gateway and every excludeIPs entry (single, range, CIDR) are not allocatable', (t) => {
  const pool = compiled({
    name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.0/27'], gateway: '10.0.0.1',
    excludeIPs: ['10.0.0.1', '10.0.0.5', '10.0.0.10-10.0.0.12', '10.0.0.16/29'],
  });
  t.is(pool.allocatable.toString(), '{10.0.0.2-10.0.0.4, 10.0.0.6-10.0.0.9, 10.0.0.13-10.0.0.15, 10.0.0.24-10.0.0.31}');
  const v6 = compiled({ name: 'b', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::1-fd00::5'], gateway: 'fd00::9', excludeIPs: ['fd00::3'] });
  t.deepEqual(allocatableList(v6), ['fd00::1', 'fd00::2', 'fd00::4', 'fd00::5']);
  const gwOutsideIps = compiled({ name: 'c', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.11'], gateway: '10.0.0.1' });
  t.deepEqual(allocatableList(gwOutsideIps), ['10.0.0.10', '10.0.0.11']);
});

test('U-IP-06 a compiled pool carries its name, family, parsed subnet, gateway and the spec', (t) => {
  const pool = compiled({ name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'], gateway: '10.0.0.1', fixedIPs: true });
  t.is(pool.name, 'a');
  t.is(pool.family, 4);
  t.deepEqual(pool.subnet, { family: 4, base: 0x0a000000n, prefix: 24 });
  t.deepEqual(pool.gateway, { family: 4, value: 0x0a000001n });
  t.deepEqual(pool.spec, { ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'], gateway: '10.0.0.1', fixedIPs: true });
  t.is(compiled({ name: 'b', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::10'] }).gateway, undefined);
});

test('U-IP-07 a pool whose only addresses are excluded compiles to an empty allocatable set', (t) => {
  const pool = compiled({ name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.0', '10.0.0.255', '10.0.0.9'], excludeIPs: ['10.0.0.9'] });
  t.true(pool.allocatable.isEmpty());
});
