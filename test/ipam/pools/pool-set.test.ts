import test from '../../support/test.ts';
import { compilePoolSet, splitPoolSet } from '../../../ipam/pools/pool-set.ts';
import { poolRejection } from '../../../ipam/select/pool-filters.ts';
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

const x = pool({ name: 'x', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.20'] });
const y = pool({ name: 'y', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.15-10.0.0.30'] });
const z = pool({ name: 'z', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.25-10.0.0.40'] });
const unrelated = pool({ name: 'u', ipVersion: 4, subnet: '10.1.0.0/24', ips: ['10.1.0.10-10.1.0.20'] });

test('U-IP-87 splitPoolSet sets both pools of an overlapping pair aside, naming the other and the overlap; the rest stay usable', (t) => {
  const split = splitPoolSet([x, unrelated, y]);
  t.deepEqual([...split.usable.keys()], ['u']);
  t.deepEqual([...split.conflicting.keys()], ['x', 'y']);
  t.deepEqual(split.conflicting.get('x')?.conflict, { with: ['y'], message: 'overlaps pool "y" at 10.0.0.15-10.0.0.20' });
  t.deepEqual(split.conflicting.get('y')?.conflict, { with: ['x'], message: 'overlaps pool "x" at 10.0.0.15-10.0.0.20' });
  // Every pool stays compiled in input order (DEL releases from a set-aside pool too).
  t.deepEqual([...split.all.keys()], ['x', 'u', 'y']);
  t.is(split.all.get('x')?.allocatable.toString(), '{10.0.0.10-10.0.0.20}');
  t.is(split.all.get('u')?.conflict, undefined);
});

test('U-IP-88 splitPoolSet decides on the set alone: any input order gives the same split; a chain sets aside every pool in it', (t) => {
  const orders = [[x, y, z, unrelated], [unrelated, z, y, x], [y, unrelated, x, z]];
  for (const order of orders) {
    const split = splitPoolSet(order);
    t.deepEqual([...split.usable.keys()], ['u']);
    t.deepEqual([...split.conflicting.keys()].sort(), ['x', 'y', 'z']);
    // y overlaps both neighbours; x and z do not overlap each other.
    t.deepEqual(split.conflicting.get('y')?.conflict.with, ['x', 'z']);
    t.is(split.conflicting.get('y')?.conflict.message, 'overlaps pool "x" at 10.0.0.15-10.0.0.20; pool "z" at 10.0.0.25-10.0.0.30');
    t.deepEqual(split.conflicting.get('x')?.conflict.with, ['y']);
  }
  t.deepEqual([...splitPoolSet([]).all.keys()], []);
});

test('U-IP-89 splitPoolSet keeps the other rules of compilePoolSet: shared gateways excluded, families apart, a duplicate name is code 7', (t) => {
  const split = splitPoolSet([
    pool({ name: 'routed', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'], gateway: '10.0.0.1' }),
    pool({ name: 'wide', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.1-10.0.0.5'] }),
    pool({ name: 'v6', ipVersion: 6, subnet: '::a00:0/120', ips: ['::a00:0/120'] }),
  ]);
  t.is(split.conflicting.size, 0);
  t.is(split.usable.get('wide')?.allocatable.toString(), '{10.0.0.2-10.0.0.5}');
  throwsCni(t, () => splitPoolSet([x, x]), 7, 'pools: pool name "x" is defined twice');
});

test('U-IP-90 a set-aside pool is refused by the pool filter with the reason, before any other filter', (t) => {
  const split = splitPoolSet([x, y, unrelated]);
  const ctx = { network: 'net', nodeName: 'node-1', podNamespace: 'default' };
  t.is(poolRejection(split.all.get('x')!, ctx), 'set aside: it overlaps pool "y" at 10.0.0.15-10.0.0.20 (both pools of an overlapping pair serve no ADD until one is changed or deleted)');
  t.is(poolRejection(split.all.get('u')!, ctx), undefined);
});
