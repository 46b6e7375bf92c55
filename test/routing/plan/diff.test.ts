import test from '../../support/test.ts';
import { describeEntries, isEmpty, missingEntries, presentEntries } from '../../../routing/plan/diff.ts';
import { emptyRouting, type NeighborSpec, type RouteSpec, type RoutingState, type RuleSpec } from '../../../routing/plan/model.ts';

const subnet: RouteSpec = { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1', scope: 'link', src: '10.20.0.5' };
const dflt: RouteSpec = { family: 4, table: 101, dst: '0.0.0.0/0', via: '10.20.0.1', dev: 'net1' };
const dflt6: RouteSpec = { family: 6, table: 101, dst: '::/0', via: 'fd00:20::1', dev: 'net1' };
const rule4: RuleSpec = { family: 4, priority: 1000, from: '10.20.0.5/32', table: 101 };
const rule6: RuleSpec = { family: 6, priority: 1000, from: 'fd00:20::5/128', table: 101 };
const neigh: NeighborSpec = { family: 4, ip: '169.254.1.1', lladdr: '02:00:00:00:00:01', dev: 'a0' };
const desired: RoutingState = { routes: [subnet, dflt, dflt6], rules: [rule4, rule6], neighbors: [neigh] };

test('U-RT-30 missingEntries: everything when nothing exists, nothing when all exist', (t) => {
  t.deepEqual(missingEntries(desired, emptyRouting()), desired);
  t.deepEqual(missingEntries(desired, desired), emptyRouting());
});

test('U-RT-31 missingEntries compares routes by family, table, dst, via and dev; scope, src and onlink do not count', (t) => {
  const actual: RoutingState = {
    routes: [
      { family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1' }, // kernel view: no scope/src kept by normalize
      { ...dflt, via: '10.20.0.254' }, // other gateway
      { ...dflt6, table: 'main' }, // other table
    ],
    rules: [rule4],
    neighbors: [neigh],
  };
  t.deepEqual(missingEntries(desired, actual), { routes: [dflt, dflt6], rules: [rule6], neighbors: [] });
  t.deepEqual(missingEntries({ routes: [dflt], rules: [], neighbors: [] }, { routes: [{ ...dflt, onlink: true }], rules: [], neighbors: [] }), emptyRouting());
  t.deepEqual(missingEntries({ routes: [dflt], rules: [], neighbors: [] }, { routes: [{ ...dflt, dev: 'net2' }], rules: [], neighbors: [] }).routes, [dflt]);
  t.deepEqual(missingEntries({ routes: [dflt], rules: [], neighbors: [] }, { routes: [{ ...dflt, family: 6 }], rules: [], neighbors: [] }).routes, [dflt]);
});

test('U-RT-32 missingEntries compares rules by priority, from, to and table, and neighbours by ip, lladdr and dev', (t) => {
  const actual: RoutingState = {
    routes: [],
    rules: [{ ...rule4, priority: 999 }, { ...rule6, table: 102 }, { ...rule4, to: '10.96.0.0/12' }, { family: 4, priority: 1000, table: 101 }],
    neighbors: [{ ...neigh, lladdr: '02:00:00:00:00:02' }, { ...neigh, dev: 'a1' }],
  };
  t.deepEqual(missingEntries({ routes: [], rules: [rule4, rule6], neighbors: [neigh] }, actual), { routes: [], rules: [rule4, rule6], neighbors: [neigh] });
});

test('U-RT-33 presentEntries: the planned entries that exist, as planned (DEL removes those)', (t) => {
  const actual: RoutingState = {
    routes: [{ family: 4, table: 101, dst: '10.20.0.0/24', dev: 'net1' }, { ...dflt6, via: 'fd00:20::fe' }, { family: 4, table: 101, dst: '10.99.0.0/16', dev: 'net1' }],
    rules: [rule6, { ...rule4, priority: 1001 }],
    neighbors: [neigh],
  };
  t.deepEqual(presentEntries(desired, actual), { routes: [subnet], rules: [rule6], neighbors: [neigh] });
  t.deepEqual(presentEntries(desired, emptyRouting()), emptyRouting());
  t.deepEqual(presentEntries(desired, desired), desired);
});

test('U-RT-34 describeEntries: rules, then routes, then neighbours, one line each', (t) => {
  t.deepEqual(describeEntries(desired), [
    'rule 1000: from 10.20.0.5/32 lookup 101',
    'rule 1000: from fd00:20::5/128 lookup 101',
    'route 10.20.0.0/24 dev net1 table 101',
    'route 0.0.0.0/0 via 10.20.0.1 dev net1 table 101',
    'route ::/0 via fd00:20::1 dev net1 table 101',
    'neighbor 169.254.1.1 lladdr 02:00:00:00:00:01 dev a0',
  ]);
  t.deepEqual(describeEntries({ routes: [{ family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.10.0.1', dev: 'eth0' }], rules: [{ family: 4, priority: 999, to: '10.96.0.0/12', table: 'main' }, { family: 4, priority: 5, table: 7 }], neighbors: [] }), [
    'rule 999: from all to 10.96.0.0/12 lookup main',
    'rule 5: from all lookup 7',
    'route 0.0.0.0/0 via 10.10.0.1 dev eth0 table main',
  ]);
  t.deepEqual(describeEntries(emptyRouting()), []);
});

test('U-RT-35 isEmpty is true only when routes, rules and neighbours are all empty', (t) => {
  t.true(isEmpty(emptyRouting()));
  t.false(isEmpty({ routes: [dflt], rules: [], neighbors: [] }));
  t.false(isEmpty({ routes: [], rules: [rule4], neighbors: [] }));
  t.false(isEmpty({ routes: [], rules: [], neighbors: [neigh] }));
});
