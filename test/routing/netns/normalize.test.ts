import test from '../../support/test.ts';
import { cidrText, neighborFromIp, routeFromIp, ruleFromIp } from '../../../routing/netns/normalize.ts';

test('U-RT-36 cidrText: "default" per family, a bare address gets the full length or the given one, host bits zeroed, other family refused', (t) => {
  t.is(cidrText(4, 'default'), '0.0.0.0/0');
  t.is(cidrText(6, 'default'), '::/0');
  t.is(cidrText(4, '10.20.0.5'), '10.20.0.5/32');
  t.is(cidrText(6, 'fd00:20::5'), 'fd00:20::5/128');
  t.is(cidrText(4, '10.96.0.0', 12), '10.96.0.0/12');
  t.is(cidrText(4, '10.20.0.5/24'), '10.20.0.0/24');
  t.is(cidrText(6, 'FD00:20:0::/64'), 'fd00:20::/64');
  t.is(cidrText(4, 'fd00:20::5'), undefined);
  t.is(cidrText(6, '10.20.0.5'), undefined);
  t.is(cidrText(4, 'nonsense'), undefined);
});

test('U-RT-37 routeFromIp: "default" is 0.0.0.0/0 or ::/0, a numbered table is a number, the gateway is the via', (t) => {
  t.deepEqual(routeFromIp(4, { dst: 'default', gateway: '10.20.0.1', dev: 'a0', table: '101', flags: [] }), { family: 4, table: 101, dst: '0.0.0.0/0', dev: 'a0', via: '10.20.0.1' });
  t.deepEqual(routeFromIp(6, { dst: 'default', gateway: 'fe80::1', dev: 'net1', table: '101', protocol: 'static', metric: 1024, flags: [], pref: 'medium' }), { family: 6, table: 101, dst: '::/0', dev: 'net1', via: 'fe80::1' });
});

test('U-RT-38 routeFromIp: a bare dst gets /32 or /128; no table key is main; scope and prefsrc are not kept', (t) => {
  t.deepEqual(routeFromIp(4, { dst: '10.20.0.5', dev: 'net1', table: '101', scope: 'link', flags: [] }), { family: 4, table: 101, dst: '10.20.0.5/32', dev: 'net1' });
  t.deepEqual(routeFromIp(6, { dst: 'fd00:20::5', dev: 'net1', table: '102', metric: 1024, flags: [], pref: 'medium' }), { family: 6, table: 102, dst: 'fd00:20::5/128', dev: 'net1' });
  t.deepEqual(routeFromIp(4, { dst: '10.20.0.0/24', dev: 'net1', protocol: 'kernel', scope: 'link', prefsrc: '10.20.0.5', flags: [] }), { family: 4, table: 'main', dst: '10.20.0.0/24', dev: 'net1' });
  t.deepEqual(routeFromIp(4, { dst: '10.20.0.0/24', dev: 'net1', table: 'main', flags: [] }), { family: 4, table: 'main', dst: '10.20.0.0/24', dev: 'net1' });
});

test('U-RT-39 routeFromIp: the onlink flag is kept; other flags are not', (t) => {
  t.deepEqual(routeFromIp(4, { dst: '10.96.0.0/12', gateway: '169.254.1.1', dev: 'a0', flags: ['onlink'] }), { family: 4, table: 'main', dst: '10.96.0.0/12', dev: 'a0', via: '169.254.1.1', onlink: true });
  t.deepEqual(routeFromIp(4, { dst: '10.97.0.0/16', gateway: '169.254.1.1', dev: 'a0', flags: ['linkdown'] }), { family: 4, table: 'main', dst: '10.97.0.0/16', dev: 'a0', via: '169.254.1.1' });
});

test('U-RT-40 routeFromIp: the gateway is made canonical', (t) => {
  t.deepEqual(routeFromIp(6, { dst: 'fd00:30::/48', gateway: 'FD00:20:0::1', dev: 'net1', table: '101' }), { family: 6, table: 101, dst: 'fd00:30::/48', dev: 'net1', via: 'fd00:20::1' });
});

test('U-RT-41 routeFromIp drops the local and default tables, non-unicast types, routes without a dev and dsts of the other family', (t) => {
  t.is(routeFromIp(4, { type: 'local', dst: '10.20.0.5', dev: 'a0', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '10.20.0.5', flags: [] }), undefined);
  t.is(routeFromIp(4, { type: 'broadcast', dst: '10.20.0.255', dev: 'net1', table: 'local', protocol: 'kernel', scope: 'link', prefsrc: '10.20.0.5', flags: [] }), undefined);
  t.is(routeFromIp(6, { type: 'multicast', dst: 'ff00::/8', dev: 'net1', table: 'local', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' }), undefined);
  t.is(routeFromIp(4, { type: 'unreachable', dst: '10.99.0.0/16', table: '101', flags: [] }), undefined);
  t.is(routeFromIp(4, { type: 'blackhole', dst: '10.98.0.0/16', dev: 'lo', table: '101', flags: [] }), undefined);
  t.is(routeFromIp(4, { dst: '10.20.0.0/24', dev: 'net1', table: 'default', flags: [] }), undefined);
  t.is(routeFromIp(4, { dst: '10.50.0.0/16', table: '101', flags: [], nexthops: [{ gateway: '10.20.0.1', dev: 'net1' }] }), undefined);
  t.is(routeFromIp(4, { dst: 'fd00:20::/64', dev: 'net1', table: '101' }), undefined);
  t.deepEqual(routeFromIp(4, { type: 'unicast', dst: '10.20.0.0/24', dev: 'net1', table: '101' }), { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1' });
});

test('U-RT-42 ruleFromIp: src "all" has no from; a bare src or dst gets the full length, srclen/dstlen when given', (t) => {
  t.deepEqual(ruleFromIp(4, { priority: 999, src: 'all', dst: '10.96.0.0', dstlen: 12, table: 'main' }), { family: 4, priority: 999, table: 'main', to: '10.96.0.0/12' });
  t.deepEqual(ruleFromIp(4, { priority: 1000, src: '10.20.0.5', table: '101' }), { family: 4, priority: 1000, table: 101, from: '10.20.0.5/32' });
  t.deepEqual(ruleFromIp(6, { priority: 1000, src: 'fd00:20::5', table: '101' }), { family: 6, priority: 1000, table: 101, from: 'fd00:20::5/128' });
  t.deepEqual(ruleFromIp(4, { priority: 1001, src: '10.20.0.0', srclen: 24, dst: '10.30.0.7', table: '7' }), { family: 4, priority: 1001, table: 7, from: '10.20.0.0/24', to: '10.30.0.7/32' });
  t.deepEqual(ruleFromIp(6, { priority: 32766, src: 'all', table: 'main' }), { family: 6, priority: 32766, table: 'main' });
});

test('U-RT-43 ruleFromIp drops rules of the local and default tables', (t) => {
  t.is(ruleFromIp(4, { priority: 0, src: 'all', table: 'local' }), undefined);
  t.is(ruleFromIp(4, { priority: 32767, src: 'all', table: 'default' }), undefined);
  t.is(ruleFromIp(6, { priority: 0, src: 'all', table: 'local' }), undefined);
});

test('U-RT-44 ruleFromIp drops rules that do not look up a table (blackhole, unreachable)', (t) => {
  t.is(ruleFromIp(4, { priority: 1000, src: '10.20.0.5', action: 'blackhole' }), undefined);
  t.is(ruleFromIp(4, { priority: 1001, src: 'all', action: 'unreachable' }), undefined);
});

test('U-RT-45 neighborFromIp: ip canonical, lladdr lowercased; entries without lladdr or dev are dropped', (t) => {
  t.deepEqual(neighborFromIp(4, { dst: '169.254.1.1', dev: 'a0', lladdr: '02:00:00:00:00:01', state: ['PERMANENT'] }), { family: 4, ip: '169.254.1.1', lladdr: '02:00:00:00:00:01', dev: 'a0' });
  t.deepEqual(neighborFromIp(4, { dst: '10.20.0.1', dev: 'net1', lladdr: '02:AB:CD:EF:00:01', state: ['REACHABLE'] }), { family: 4, ip: '10.20.0.1', lladdr: '02:ab:cd:ef:00:01', dev: 'net1' });
  t.deepEqual(neighborFromIp(6, { dst: 'FE80:0::1', dev: 'a0', lladdr: '02:00:00:00:00:01', router: null, state: ['STALE'] }), { family: 6, ip: 'fe80::1', lladdr: '02:00:00:00:00:01', dev: 'a0' });
  t.is(neighborFromIp(4, { dst: '10.20.0.9', dev: 'net1', state: ['FAILED'] }), undefined);
  t.is(neighborFromIp(4, { dst: '10.20.0.9', lladdr: '02:00:00:00:00:09', state: ['PERMANENT'] }), undefined);
  t.is(neighborFromIp(4, { dst: 'nonsense', dev: 'net1', lladdr: '02:00:00:00:00:09' }), undefined);
});
