import test from '../../support/test.ts';
import { compilePoolSet } from '../../../ipam/pools/pool-set.ts';
import { pool, poolSet, throwsCni } from '../fixtures.ts';

test('U-IP-08 two pools with the same name are code 7 naming the name', (t) => {
  throwsCni(t, () => poolSet(
    { name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'] },
    { name: 'a', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::10'] },
  ), 7, 'pools: pool name "a" is defined twice');
});

test('U-IP-09 overlapping allocatable ranges are code 7 naming both pools (by name) and the overlap', (t) => {
  throwsCni(t, () => poolSet(
    { name: 'zeta', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.20'] },
    { name: 'alpha', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.15-10.0.0.30'] },
  ), 7, 'pools: "alpha" and "zeta" overlap at 10.0.0.15-10.0.0.20');
  throwsCni(t, () => poolSet(
    { name: 'a', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::1-fd00::9'] },
    { name: 'b', ipVersion: 6, subnet: 'fd00::/120', ips: ['fd00::9'] },
  ), 7, 'pools: "a" and "b" overlap at fd00::9');
});

test('U-IP-10 two pools in the same subnet with disjoint ips are accepted', (t) => {
  const pools = poolSet(
    { name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.19'], gateway: '10.0.0.1' },
    { name: 'b', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.20-10.0.0.29'], gateway: '10.0.0.1' },
  );
  t.deepEqual([...pools.keys()], ['a', 'b']);
  t.is(pools.get('b')?.allocatable.toString(), '{10.0.0.20-10.0.0.29}');
});

test('U-IP-11 an address excluded from one pool may belong to another (only allocatable addresses count)', (t) => {
  const pools = poolSet(
    { name: 'a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.20'], excludeIPs: ['10.0.0.15'] },
    { name: 'b', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.15'] },
  );
  t.is(pools.size, 2);
});

test('U-IP-12 IPv4 and IPv6 pools never overlap, even with equal numeric values', (t) => {
  // ::a00:0/120 covers the same integers as 10.0.0.0/24.
  const pools = poolSet(
    { name: 'v4', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.0/24'] },
    { name: 'v6', ipVersion: 6, subnet: '::a00:0/120', ips: ['::a00:0/120'] },
  );
  t.deepEqual([...pools.keys()], ['v4', 'v6']);
});

test('U-IP-13 an empty pool list compiles to an empty map; the map keeps input order', (t) => {
  t.is(compilePoolSet([]).size, 0);
  const pools = compilePoolSet([
    pool({ name: 'c', ipVersion: 4, subnet: '10.0.3.0/24', ips: ['10.0.3.1'] }),
    pool({ name: 'a', ipVersion: 4, subnet: '10.0.1.0/24', ips: ['10.0.1.1'] }),
  ]);
  t.deepEqual([...pools.keys()], ['c', 'a']);
});

test('U-IP-79 a gateway named by one pool is never allocated from another pool of its subnet', (t) => {
  const pools = poolSet(
    { name: 'routed', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'], gateway: '10.0.0.1' },
    { name: 'wide', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.1-10.0.0.5'] },
  );
  t.is(pools.get('wide')?.allocatable.toString(), '{10.0.0.2-10.0.0.5}');
});
