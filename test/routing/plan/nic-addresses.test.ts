import test from '../../support/test.ts';
import type { CniResult } from '../../../netconf/result.ts';
import { nicFromResult } from '../../../routing/plan/nic-addresses.ts';

const sandbox = '/var/run/netns/x';

test('U-RT-08 takes the ips whose interface index names the NIC in the sandbox', (t) => {
  const result: CniResult = {
    interfaces: [{ name: 'eth0', sandbox }, { name: 'net1', mac: '02:00:00:00:00:01', sandbox }],
    ips: [
      { address: '10.10.0.5/24', gateway: '10.10.0.1', interface: 0 },
      { address: '10.20.0.5/24', gateway: '10.20.0.1', interface: 1 },
      { address: 'fd00:20::5/64', gateway: 'fd00:20::1', interface: 1 },
    ],
  };
  t.deepEqual(nicFromResult(result, 'net1', {}), {
    addresses: [
      { family: 4, ip: '10.20.0.5', subnet: '10.20.0.0/24', gateway: '10.20.0.1' },
      { family: 6, ip: 'fd00:20::5', subnet: 'fd00:20::/64', gateway: 'fd00:20::1' },
    ],
    routes: [],
  });
  t.deepEqual(nicFromResult(result, 'eth0', {}).addresses, [{ family: 4, ip: '10.10.0.5', subnet: '10.10.0.0/24', gateway: '10.10.0.1' }]);
  t.deepEqual(nicFromResult(result, 'net2', {}).addresses, []);
});

test('U-RT-09 takes every ip when the result names no interfaces; an ip without an index is kept, one past the list is not', (t) => {
  const ips = [{ address: '10.20.0.5/24', interface: 0 }, { address: 'fd00:20::5/64' }];
  t.deepEqual(nicFromResult({ ips }, 'net1', {}).addresses, [
    { family: 4, ip: '10.20.0.5', subnet: '10.20.0.0/24', gateway: undefined },
    { family: 6, ip: 'fd00:20::5', subnet: 'fd00:20::/64', gateway: undefined },
  ]);
  t.deepEqual(nicFromResult({ interfaces: [], ips }, 'net1', {}).addresses.map((a) => a.ip), ['10.20.0.5', 'fd00:20::5']);
  const named: CniResult = { interfaces: [{ name: 'net1', sandbox }], ips: [{ address: '10.20.0.5/24', interface: 0 }, { address: '10.20.0.6/24' }, { address: '10.20.0.7/24', interface: 1 }] };
  t.deepEqual(nicFromResult(named, 'net1', {}).addresses.map((a) => a.ip), ['10.20.0.5', '10.20.0.6']);
  t.deepEqual(nicFromResult({}, 'net1', {}), { addresses: [], routes: [] });
});

test('U-RT-10 the subnet is the address masked by its prefix; the ip is the address alone', (t) => {
  const nic = nicFromResult({ ips: [{ address: '10.20.0.130/25' }, { address: '10.20.0.5/32' }, { address: '192.168.7.9/16' }, { address: 'fd00:20::1:5/112' }, { address: 'fd00:20::5/128' }] }, 'net1', {});
  t.deepEqual(nic.addresses.map((a) => [a.ip, a.subnet]), [
    ['10.20.0.130', '10.20.0.128/25'],
    ['10.20.0.5', '10.20.0.5/32'],
    ['192.168.7.9', '192.168.0.0/16'],
    ['fd00:20::1:5', 'fd00:20::1:0/112'],
    ['fd00:20::5', 'fd00:20::5/128'],
  ]);
});

test('U-RT-11 IPv6 text is made canonical: address, subnet, gateways and route vias', (t) => {
  const nic = nicFromResult({
    ips: [{ address: 'FD00:20:0:0::5/64', gateway: 'FD00:20:0::1' }],
    routes: [{ dst: 'FD00:30:0::/48', gw: 'FD00:20:0:0:0:0:0:FE' }],
  }, 'net1', {});
  t.deepEqual(nic, {
    addresses: [{ family: 6, ip: 'fd00:20::5', subnet: 'fd00:20::/64', gateway: 'fd00:20::1' }],
    routes: [{ family: 6, dst: 'fd00:30::/48', via: 'fd00:20::fe' }],
  });
});

test('U-RT-12 gateway: ips[].gateway comes first, before the default route and the config', (t) => {
  const nic = nicFromResult({
    ips: [{ address: '10.20.0.5/24', gateway: '10.20.0.1' }],
    routes: [{ dst: '0.0.0.0/0', gw: '10.20.0.254' }, { dst: '10.30.0.0/16', gw: '10.20.0.253' }],
  }, 'net1', { 4: '10.20.0.252' });
  t.deepEqual(nic.addresses, [{ family: 4, ip: '10.20.0.5', subnet: '10.20.0.0/24', gateway: '10.20.0.1' }]);
});

test('U-RT-13 gateway: without ips[].gateway, the NIC default route (0.0.0.0/0, ::/0) beats a route gateway listed before it', (t) => {
  const nic = nicFromResult({
    ips: [{ address: '10.20.0.5/24' }, { address: 'fd00:20::5/64' }],
    routes: [
      { dst: '10.30.0.0/16', gw: '10.20.0.253' },
      { dst: 'fd00:30::/48', gw: 'fd00:20::fd' },
      { dst: '::/0', gw: 'fd00:20::fe' },
      { dst: '0.0.0.0/0', gw: '10.20.0.254' },
    ],
  }, 'net1', { 4: '10.20.0.252', 6: 'fd00:20::fc' });
  t.deepEqual(nic.addresses.map((a) => a.gateway), ['10.20.0.254', 'fd00:20::fe']);
});

test('U-RT-14 gateway: without a default route, the first route gateway inside the subnet that is not the address itself', (t) => {
  const nic = nicFromResult({
    ips: [{ address: '10.20.0.5/24' }, { address: 'fd00:20::5/64' }],
    routes: [
      { dst: '10.40.0.0/16', gw: '10.99.0.1' }, // outside the subnet
      { dst: '10.41.0.0/16', gw: '10.20.0.5' }, // the address itself
      { dst: '10.42.0.0/16' }, // no gateway
      { dst: 'fd00:30::/48', gw: 'fd00:20::fd' },
      { dst: '10.30.0.0/16', gw: '10.20.0.253' },
      { dst: '10.31.0.0/16', gw: '10.20.0.251' },
    ],
  }, 'net1', { 4: '10.20.0.252' });
  t.deepEqual(nic.addresses.map((a) => a.gateway), ['10.20.0.253', 'fd00:20::fd']);
});

test('U-RT-15 gateway: the config gateway of the family when the result names none; else none', (t) => {
  const result: CniResult = { ips: [{ address: '10.20.0.5/24' }, { address: 'fd00:20::5/64' }], routes: [{ dst: '10.40.0.0/16', gw: '10.99.0.1' }] };
  t.deepEqual(nicFromResult(result, 'net1', { 4: '10.20.0.252', 6: 'fd00:20::fc' }).addresses.map((a) => a.gateway), ['10.20.0.252', 'fd00:20::fc']);
  t.deepEqual(nicFromResult(result, 'net1', { 6: 'fd00:20::fc' }).addresses.map((a) => a.gateway), [undefined, 'fd00:20::fc']);
  t.deepEqual(nicFromResult(result, 'net1', {}).addresses.map((a) => a.gateway), [undefined, undefined]);
});

test('U-RT-16 an unparsable ips[].gateway falls through to the next source; an unparsable address is skipped', (t) => {
  const nic = nicFromResult({
    ips: [{ address: '10.20.0.5/24', gateway: '10.20.0.300' }, { address: '10.20.0.6' }, { address: 'nonsense/24' }],
    routes: [{ dst: '0.0.0.0/0', gw: '10.20.0.254' }],
  }, 'net1', {});
  t.deepEqual(nic.addresses, [{ family: 4, ip: '10.20.0.5', subnet: '10.20.0.0/24', gateway: '10.20.0.254' }]);
});

test('U-RT-17 non-default routes are kept with their canonical dst and via; default routes and bad dsts are not', (t) => {
  const nic = nicFromResult({
    ips: [{ address: '10.20.0.5/24', gateway: '10.20.0.1' }],
    routes: [
      { dst: '0.0.0.0/0', gw: '10.20.0.1' },
      { dst: '10.30.0.7/16', gw: '10.20.0.254' },
      { dst: '10.31.0.0/16' },
      { dst: '::/0', gw: 'fd00:20::1' },
      { dst: 'fd00:30::/48', gw: 'fd00:20::fe' },
      { dst: '10.32.0.0' },
      { dst: '10.33.0.0/33' },
    ],
  }, 'net1', {});
  t.deepEqual(nic.routes, [
    { family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' },
    { family: 4, dst: '10.31.0.0/16', via: undefined },
    { family: 6, dst: 'fd00:30::/48', via: 'fd00:20::fe' },
  ]);
});
