import test from '../../support/test.ts';
import type { NicAddress, NicView } from '../../../routing/plan/nic-addresses.ts';
import { planRouter } from '../../../routing/plan/router-plan.ts';

const v4: NicAddress = { family: 4, ip: '10.20.0.5', subnet: '10.20.0.0/24', gateway: '10.20.0.1' };
const v6: NicAddress = { family: 6, ip: 'fd00:20::5', subnet: 'fd00:20::/64', gateway: 'fd00:20::1' };
const plan = (nic: NicView, isDefaultRouteNic = false, ifname = 'net1') => planRouter({ ifname, nic, isDefaultRouteNic, table: 101, rulePriority: 1000 });

test('U-RT-18 the default-route NIC gets only its default routes in main, one per family with a gateway', (t) => {
  const nic: NicView = { addresses: [v4, v6], routes: [{ family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' }] };
  t.deepEqual(plan(nic, true, 'eth0'), {
    routes: [
      { family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'eth0' },
      { family: 6, table: 'main', dst: '::/0', via: 'fd00:20::1', dev: 'eth0' },
    ],
    rules: [],
    neighbors: [],
  });
});

test('U-RT-19 the default-route NIC without gateways gets nothing; with one family gateway, that default only', (t) => {
  const bare = { addresses: [{ ...v4, gateway: undefined }, { ...v6, gateway: undefined }], routes: [] };
  t.deepEqual(plan(bare, true, 'eth0'), { routes: [], rules: [], neighbors: [] });
  t.deepEqual(plan({ addresses: [{ ...v4, gateway: undefined }, v6], routes: [] }, true, 'eth0'), {
    routes: [{ family: 6, table: 'main', dst: '::/0', via: 'fd00:20::1', dev: 'eth0' }],
    rules: [],
    neighbors: [],
  });
});

test('U-RT-20 another IPv4 NIC gets table T: subnet (scope link, src), default via gateway, pool routes; and from <ip>/32 at the priority', (t) => {
  const nic: NicView = { addresses: [v4], routes: [{ family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' }, { family: 4, dst: '10.31.0.0/16', via: undefined }] };
  t.deepEqual(plan(nic), {
    routes: [
      { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1', scope: 'link', src: '10.20.0.5' },
      { family: 4, table: 101, dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net1' },
      { family: 4, table: 101, dst: '10.30.0.0/16', dev: 'net1', via: '10.20.0.254' },
      { family: 4, table: 101, dst: '10.31.0.0/16', dev: 'net1' },
    ],
    rules: [{ family: 4, priority: 1000, from: '10.20.0.5/32', table: 101 }],
    neighbors: [],
  });
});

test('U-RT-21 a dual-stack NIC gets the same per family, IPv6 rules from <ip>/128, each family only its own pool routes', (t) => {
  const nic: NicView = { addresses: [v4, v6], routes: [{ family: 6, dst: 'fd00:30::/48', via: 'fd00:20::fe' }, { family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' }] };
  t.deepEqual(planRouter({ ifname: 'net2', nic, isDefaultRouteNic: false, table: 202, rulePriority: 1500 }), {
    routes: [
      { family: 4, table: 202, dst: '10.20.0.0/24', dev: 'net2', scope: 'link', src: '10.20.0.5' },
      { family: 4, table: 202, dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net2' },
      { family: 4, table: 202, dst: '10.30.0.0/16', dev: 'net2', via: '10.20.0.254' },
      { family: 6, table: 202, dst: 'fd00:20::/64', dev: 'net2', scope: 'link', src: 'fd00:20::5' },
      { family: 6, table: 202, dst: '::/0', via: 'fd00:20::1', dev: 'net2' },
      { family: 6, table: 202, dst: 'fd00:30::/48', dev: 'net2', via: 'fd00:20::fe' },
    ],
    rules: [
      { family: 4, priority: 1500, from: '10.20.0.5/32', table: 202 },
      { family: 6, priority: 1500, from: 'fd00:20::5/128', table: 202 },
    ],
    neighbors: [],
  });
});

test('U-RT-22 another NIC without a gateway gets no default route in T but still its subnet, pool routes and rule', (t) => {
  const nic: NicView = { addresses: [{ ...v6, gateway: undefined }], routes: [{ family: 6, dst: 'fd00:30::/48', via: 'fd00:20::fe' }] };
  t.deepEqual(plan(nic), {
    routes: [
      { family: 6, table: 101, dst: 'fd00:20::/64', dev: 'net1', scope: 'link', src: 'fd00:20::5' },
      { family: 6, table: 101, dst: 'fd00:30::/48', dev: 'net1', via: 'fd00:20::fe' },
    ],
    rules: [{ family: 6, priority: 1000, from: 'fd00:20::5/128', table: 101 }],
    neighbors: [],
  });
});

test('U-RT-23 duplicate routes are planned once, the first kept: repeated pool routes, a pool route equal to the subnet', (t) => {
  const nic: NicView = {
    addresses: [v4],
    routes: [
      { family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' },
      { family: 4, dst: '10.20.0.0/24', via: undefined },
      { family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' },
      { family: 4, dst: '10.30.0.0/16', via: '10.20.0.253' },
    ],
  };
  t.deepEqual(plan(nic).routes, [
    { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1', scope: 'link', src: '10.20.0.5' },
    { family: 4, table: 101, dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net1' },
    { family: 4, table: 101, dst: '10.30.0.0/16', dev: 'net1', via: '10.20.0.254' },
  ]);
});

test('U-RT-24 two addresses of one family: one route per destination, one rule per address', (t) => {
  const nic: NicView = { addresses: [v4, { family: 4, ip: '10.20.0.6', subnet: '10.20.0.0/24', gateway: '10.20.0.1' }], routes: [{ family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' }] };
  t.deepEqual(plan(nic), {
    routes: [
      { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1', scope: 'link', src: '10.20.0.5' },
      { family: 4, table: 101, dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net1' },
      { family: 4, table: 101, dst: '10.30.0.0/16', dev: 'net1', via: '10.20.0.254' },
    ],
    rules: [
      { family: 4, priority: 1000, from: '10.20.0.5/32', table: 101 },
      { family: 4, priority: 1000, from: '10.20.0.6/32', table: 101 },
    ],
    neighbors: [],
  });
});

test('U-RT-25 a NIC without addresses plans nothing, default-route NIC or not', (t) => {
  const nic: NicView = { addresses: [], routes: [{ family: 4, dst: '10.30.0.0/16', via: '10.20.0.254' }] };
  t.deepEqual(plan(nic), { routes: [], rules: [], neighbors: [] });
  t.deepEqual(plan(nic, true, 'eth0'), { routes: [], rules: [], neighbors: [] });
});
