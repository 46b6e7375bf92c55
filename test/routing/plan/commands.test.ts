import test from '../../support/test.ts';
import { neighborDelete, neighborReplace, routeDelete, routeReplace, ruleAdd, ruleDelete } from '../../../routing/plan/commands.ts';

test('U-RT-26 routeReplace/routeDelete: dst, via, dev, onlink, scope, src, table in that order', (t) => {
  const full = { family: 4 as const, table: 101, dst: '10.20.0.0/24', dev: 'net1', via: '10.20.0.1', onlink: true, scope: 'link' as const, src: '10.20.0.5' };
  t.deepEqual(routeReplace(full), ['route', 'replace', '10.20.0.0/24', 'via', '10.20.0.1', 'dev', 'net1', 'onlink', 'scope', 'link', 'src', '10.20.0.5', 'table', '101']);
  t.deepEqual(routeDelete(full), ['route', 'del', '10.20.0.0/24', 'via', '10.20.0.1', 'dev', 'net1', 'onlink', 'scope', 'link', 'src', '10.20.0.5', 'table', '101']);
});

test('U-RT-27 route words leave out what a route does not have; table main is named', (t) => {
  t.deepEqual(routeReplace({ family: 4, table: 'main', dst: '0.0.0.0/0', dev: 'eth0', via: '10.10.0.1' }), ['route', 'replace', '0.0.0.0/0', 'via', '10.10.0.1', 'dev', 'eth0', 'table', 'main']);
  t.deepEqual(routeReplace({ family: 6, table: 101, dst: 'fd00:20::/64', dev: 'net1', scope: 'link', src: 'fd00:20::5' }), ['route', 'replace', 'fd00:20::/64', 'dev', 'net1', 'scope', 'link', 'src', 'fd00:20::5', 'table', '101']);
  t.deepEqual(routeDelete({ family: 4, table: 101, dst: '10.96.0.0/12', dev: 'a0', onlink: false }), ['route', 'del', '10.96.0.0/12', 'dev', 'a0', 'table', '101']);
});

test('U-RT-28 ruleAdd/ruleDelete: from, to, lookup, pref; "all" selectors are left out', (t) => {
  t.deepEqual(ruleAdd({ family: 4, priority: 1000, from: '10.20.0.5/32', table: 101 }), ['rule', 'add', 'from', '10.20.0.5/32', 'lookup', '101', 'pref', '1000']);
  t.deepEqual(ruleDelete({ family: 6, priority: 1000, from: 'fd00:20::5/128', table: 101 }), ['rule', 'del', 'from', 'fd00:20::5/128', 'lookup', '101', 'pref', '1000']);
  t.deepEqual(ruleAdd({ family: 4, priority: 999, to: '10.96.0.0/12', table: 'main' }), ['rule', 'add', 'to', '10.96.0.0/12', 'lookup', 'main', 'pref', '999']);
  t.deepEqual(ruleAdd({ family: 4, priority: 900, from: '10.20.0.5/32', to: '10.96.0.0/12', table: 7 }), ['rule', 'add', 'from', '10.20.0.5/32', 'to', '10.96.0.0/12', 'lookup', '7', 'pref', '900']);
  t.deepEqual(ruleDelete({ family: 4, priority: 1000, table: 101 }), ['rule', 'del', 'lookup', '101', 'pref', '1000']);
});

test('U-RT-29 neighborReplace is permanent with lladdr; neighborDelete names ip and dev only', (t) => {
  const n = { family: 4 as const, ip: '169.254.1.1', lladdr: '02:00:00:00:00:01', dev: 'a0' };
  t.deepEqual(neighborReplace(n), ['neigh', 'replace', '169.254.1.1', 'lladdr', '02:00:00:00:00:01', 'dev', 'a0', 'nud', 'permanent']);
  t.deepEqual(neighborDelete(n), ['neigh', 'del', '169.254.1.1', 'dev', 'a0']);
  t.deepEqual(neighborReplace({ family: 6, ip: 'fe80::1', lladdr: '02:00:00:00:00:02', dev: 'a0' }), ['neigh', 'replace', 'fe80::1', 'lladdr', '02:00:00:00:00:02', 'dev', 'a0', 'nud', 'permanent']);
});
