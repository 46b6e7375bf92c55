import test from '../../support/test.ts';
import type { CniArgs } from '../../../netconf/cni-args.ts';
import type { CniEnv } from '../../../netconf/env.ts';
import type { PluginConf } from '../../../netconf/netconf.ts';
import type { CniResult } from '../../../netconf/result.ts';
import { routerSetup } from '../../../routing/router/router-invocation.ts';
import { throwsCni } from '../../netconf/cni-assert.ts';

const env = (ifname: string): CniEnv => ({ command: 'ADD', containerId: 'c1', netns: '/var/run/netns/x', ifname, args: '', path: [] });
const conf = (extra: Record<string, unknown> = {}): PluginConf => ({ cniVersion: '1.0.0', name: 'underlay', type: 'nicpool-router', ...extra });
const setup = (ifname: string, extra: Record<string, unknown> = {}, args: CniArgs = {}) => routerSetup({ conf: conf(extra), env: env(ifname), args });

const prevResult = (ifname: string): CniResult => ({
  cniVersion: '1.0.0',
  interfaces: [{ name: ifname, mac: '02:00:00:00:00:01', sandbox: '/var/run/netns/x' }],
  ips: [
    { address: '10.20.0.5/24', gateway: '10.20.0.1', interface: 0 },
    { address: 'fd00:20::5/64', gateway: 'fd00:20::1', interface: 0 },
  ],
  routes: [{ dst: '10.30.0.0/16', gw: '10.20.0.254' }],
});

test('U-RT-49 defaults: table base 100, rule priority 1000; net1 is not the default-route NIC and gets table 101', (t) => {
  t.deepEqual(setup('net1', { prevResult: prevResult('net1') }), {
    ifname: 'net1',
    netns: '/var/run/netns/x',
    table: 101,
    rulePriority: 1000,
    isDefaultRouteNic: false,
    families: [4, 6],
    plan: {
      routes: [
        { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1', scope: 'link', src: '10.20.0.5' },
        { family: 4, table: 101, dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net1' },
        { family: 4, table: 101, dst: '10.30.0.0/16', dev: 'net1', via: '10.20.0.254' },
        { family: 6, table: 101, dst: 'fd00:20::/64', dev: 'net1', scope: 'link', src: 'fd00:20::5' },
        { family: 6, table: 101, dst: '::/0', via: 'fd00:20::1', dev: 'net1' },
      ],
      rules: [
        { family: 4, priority: 1000, from: '10.20.0.5/32', table: 101 },
        { family: 6, priority: 1000, from: 'fd00:20::5/128', table: 101 },
      ],
      neighbors: [],
    },
  });
});

test('U-RT-50 defaults: eth0 is the default-route NIC and keeps its default routes in main', (t) => {
  t.deepEqual(setup('eth0', { prevResult: prevResult('eth0') }), {
    ifname: 'eth0',
    netns: '/var/run/netns/x',
    table: 100,
    rulePriority: 1000,
    isDefaultRouteNic: true,
    families: [4, 6],
    plan: {
      routes: [
        { family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'eth0' },
        { family: 6, table: 'main', dst: '::/0', via: 'fd00:20::1', dev: 'eth0' },
      ],
      rules: [],
      neighbors: [],
    },
  });
});

test('U-RT-51 tableBase and rulePriority from the netconf set the table and the rule priority', (t) => {
  const s = setup('net2', { tableBase: 200, rulePriority: 1500, prevResult: { ips: [{ address: '10.20.0.5/24' }] } });
  t.is(s.table, 202);
  t.is(s.rulePriority, 1500);
  t.deepEqual(s.plan.rules, [{ family: 4, priority: 1500, from: '10.20.0.5/32', table: 202 }]);
  t.deepEqual(s.plan.routes, [{ family: 4, table: 202, dst: '10.20.0.0/24', dev: 'net2', scope: 'link', src: '10.20.0.5' }]);
  t.deepEqual(s.families, [4]);
});

test('U-RT-52 the default-route NIC: CNI_ARGS NICPOOL_DEFAULT_ROUTE_NIC beats runtimeConfig.defaultRouteNic beats netconf defaultRouteNic beats eth0', (t) => {
  const isDefault = (ifname: string, extra: Record<string, unknown>, args: CniArgs = {}) => setup(ifname, extra, args).isDefaultRouteNic;
  t.true(isDefault('eth0', {}));
  t.false(isDefault('net1', {}));
  t.true(isDefault('net1', { defaultRouteNic: 'net1' }));
  t.false(isDefault('eth0', { defaultRouteNic: 'net1' }));
  t.true(isDefault('net1', { defaultRouteNic: 'eth0', runtimeConfig: { defaultRouteNic: 'net1' } }));
  t.false(isDefault('net1', { defaultRouteNic: 'net1', runtimeConfig: { defaultRouteNic: 'eth0' } }));
  t.true(isDefault('net1', { defaultRouteNic: 'eth0', runtimeConfig: { defaultRouteNic: 'eth0' } }, { NICPOOL_DEFAULT_ROUTE_NIC: 'net1' }));
  t.false(isDefault('net1', { defaultRouteNic: 'net1', runtimeConfig: { defaultRouteNic: 'net1' } }, { NICPOOL_DEFAULT_ROUTE_NIC: 'eth0' }));
  t.true(isDefault('net2', {}, { NICPOOL_DEFAULT_ROUTE_NIC: 'net2', K8S_POD_NAME: 'p' }));
});

test('U-RT-62 the pod\'s annotation (as the agent reports it) comes after the runtime\'s word and before the netconf\'s', (t) => {
  const isDefault = (ifname: string, extra: Record<string, unknown>, pod: string | undefined, args: CniArgs = {}) => routerSetup({ conf: conf(extra), env: env(ifname), args }, pod).isDefaultRouteNic;
  t.true(isDefault('net1', { defaultRouteNic: 'eth0' }, 'net1'));
  t.false(isDefault('eth0', {}, 'net1'));
  t.false(isDefault('net1', { runtimeConfig: { defaultRouteNic: 'eth0' } }, 'net1'));
  t.false(isDefault('net1', {}, 'net1', { NICPOOL_DEFAULT_ROUTE_NIC: 'eth0' }));
  t.true(isDefault('net1', { defaultRouteNic: 'net1' }, undefined));
});

test('U-RT-53 the default-route NIC chosen by CNI_ARGS gets main default routes, not a table', (t) => {
  const s = setup('net1', { prevResult: prevResult('net1') }, { NICPOOL_DEFAULT_ROUTE_NIC: 'net1' });
  t.deepEqual(s.plan, {
    routes: [
      { family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net1' },
      { family: 6, table: 'main', dst: '::/0', via: 'fd00:20::1', dev: 'net1' },
    ],
    rules: [],
    neighbors: [],
  });
});

test('U-RT-54 an unknown key is code 2 naming it, at the top and inside gateways', (t) => {
  throwsCni(t, () => setup('net1', { tableBse: 200 }), 2, '(root): unsupported key "tableBse"');
  throwsCni(t, () => setup('net1', { gateways: { ipv5: '10.20.0.1' } }), 2, 'gateways: unsupported key "ipv5"');
});

test('U-RT-55 an invalid config gateway is code 7 naming gateways.ipv4 or gateways.ipv6 and the value', (t) => {
  throwsCni(t, () => setup('net1', { gateways: { ipv4: '10.20.0.300' } }), 7, 'gateways.ipv4: "10.20.0.300" is not an IPv4 address');
  throwsCni(t, () => setup('net1', { gateways: { ipv6: 'fd00::g' } }), 7, 'gateways.ipv6: "fd00::g" is not an IPv6 address');
  throwsCni(t, () => setup('net1', { gateways: { ipv4: '' } }), 7, 'gateways.ipv4: "" is not an IPv4 address');
});

test('U-RT-56 config gateways are made canonical and used when the result names none', (t) => {
  const s = setup('net1', { gateways: { ipv4: '10.20.0.254', ipv6: 'FD00:20:0::FE' }, prevResult: { ips: [{ address: '10.20.0.5/24' }, { address: 'fd00:20::5/64' }] } });
  t.deepEqual(s.plan.routes.filter((route) => route.via !== undefined), [
    { family: 4, table: 101, dst: '0.0.0.0/0', via: '10.20.0.254', dev: 'net1' },
    { family: 6, table: 101, dst: '::/0', via: 'fd00:20::fe', dev: 'net1' },
  ]);
});

test('U-RT-57 an invalid default-route NIC is code 7 naming defaultRouteNic and the value, whichever source gave it', (t) => {
  const message = (value: string) => `defaultRouteNic: ${JSON.stringify(value)} is not a valid interface name (contains "/", ":" or whitespace)`;
  throwsCni(t, () => setup('net1', { defaultRouteNic: 'a/b' }), 7, message('a/b'));
  throwsCni(t, () => setup('net1', { runtimeConfig: { defaultRouteNic: 'a b' } }), 7, message('a b'));
  throwsCni(t, () => setup('net1', {}, { NICPOOL_DEFAULT_ROUTE_NIC: 'eth0:1' }), 7, message('eth0:1'));
  throwsCni(t, () => setup('net1', {}, { NICPOOL_DEFAULT_ROUTE_NIC: '' }), 7, 'defaultRouteNic: "" is not a valid interface name (empty)');
  throwsCni(t, () => setup('net1', { defaultRouteNic: 'a-very-long-name' }), 7, 'defaultRouteNic: "a-very-long-name" is not a valid interface name (longer than 15 characters)');
});

test('U-RT-58 tableBase, rulePriority and type out of range are code 7 naming the key and the value', (t) => {
  throwsCni(t, () => setup('net1', { tableBase: 0 }), 7, 'tableBase: too small: expected number to be >=1, got 0');
  throwsCni(t, () => setup('net1', { rulePriority: 32766 }), 7, 'rulePriority: too big: expected number to be <=32765, got 32766');
  throwsCni(t, () => setup('net1', { type: 'sbr' }), 7, 'type: invalid input: expected "nicpool-router", got "sbr"');
});

test('U-RT-59 without prevResult (a DEL) the plan is empty, but the table and priority are still known', (t) => {
  t.deepEqual(routerSetup({ conf: conf(), env: { ...env('net3'), command: 'DEL', netns: undefined }, args: {} }), {
    ifname: 'net3',
    netns: undefined,
    table: 103,
    rulePriority: 1000,
    isDefaultRouteNic: false,
    plan: { routes: [], rules: [], neighbors: [] },
    families: [],
  });
});

test('U-RT-60 only the addresses of the invoked NIC are planned; a prevResult for another NIC plans nothing', (t) => {
  const s = setup('net2', { prevResult: prevResult('net1') });
  t.deepEqual(s.families, []);
  t.deepEqual(s.plan, { routes: [], rules: [], neighbors: [] });
});

test('U-RT-61 a config gateway of the wrong family is code 7 naming the key and the value', (t) => {
  throwsCni(t, () => setup('net1', { gateways: { ipv4: 'fd00::1' }, prevResult: { ips: [{ address: '10.20.0.5/24' }] } }), 7, /^gateways\.ipv4: "fd00::1" /);
  throwsCni(t, () => setup('net1', { gateways: { ipv6: '10.20.0.1' }, prevResult: { ips: [{ address: 'fd00:20::5/64' }] } }), 7, /^gateways\.ipv6: "10\.20\.0\.1" /);
});

test('U-RT-74 a malformed prevResult is code 7 naming the key: prefix-less or garbage addresses, garbage, wrong-family or own-address gateways, a garbage route gw or dst', (t) => {
  const base = prevResult('net1');
  const withIp = (i: number, change: Record<string, unknown>) => ({ prevResult: { ...base, ips: base.ips!.map((ip, j) => (j === i ? { ...ip, ...change } : ip)) } });
  throwsCni(t, () => setup('net1', withIp(1, { address: '10.0.0.5' })), 7,
    'prevResult.ips[1].address: "10.0.0.5" is not an IPv4 or IPv6 address with a prefix length such as "10.0.0.5/24"');
  throwsCni(t, () => setup('net1', withIp(0, { address: 'garbage' })), 7, /^prevResult\.ips\[0\]\.address: "garbage" is not/);
  throwsCni(t, () => setup('net1', withIp(0, { gateway: '10.20.0.999' })), 7, 'prevResult.ips[0].gateway: "10.20.0.999" is not an IPv4 or IPv6 address');
  throwsCni(t, () => setup('net1', withIp(0, { gateway: 'fd00:20::1' })), 7, 'prevResult.ips[0].gateway: "fd00:20::1" is not an IPv4 address like ips[0].address');
  throwsCni(t, () => setup('net1', withIp(0, { gateway: '10.20.0.5' })), 7, 'prevResult.ips[0].gateway: "10.20.0.5" is an address of the result itself, not a gateway');
  throwsCni(t, () => setup('net1', { prevResult: { ...base, routes: [{ dst: '10.30.0.0/16', gw: 'nonsense' }] } }), 7,
    'prevResult.routes[0].gw: "nonsense" is not an IPv4 or IPv6 address');
  throwsCni(t, () => setup('net1', { prevResult: { ...base, routes: [{ dst: '10.30.0.0/16', gw: 'fd00:20::1' }] } }), 7,
    'prevResult.routes[0].gw: "fd00:20::1" is not an IPv4 address like routes[0].dst');
  throwsCni(t, () => setup('net1', { prevResult: { ...base, routes: [{ dst: '10.30.0.0/99' }] } }), 7,
    'prevResult.routes[0].dst: "10.30.0.0/99" is not a CIDR such as "10.0.0.0/24"');
  const long = 'x'.repeat(500);
  throwsCni(t, () => setup('net1', withIp(0, { address: long })), 7, /^prevResult\.ips\[0\]\.address: "x{99}… \(502 chars\) is not/);
  t.notThrows(() => setup('net1', { prevResult: base }), 'the well-formed result still passes');
});
