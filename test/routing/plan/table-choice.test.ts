import test from '../../support/test.ts';
import type { RoutingState } from '../../../routing/plan/model.ts';
import { chooseTable, ownedTables, withTable } from '../../../routing/plan/table-choice.ts';

const state = (partial: Partial<RoutingState>): RoutingState => ({ routes: [], rules: [], neighbors: [], ...partial });
const nic = (table: number, ifname: string, ip: string) => ({
  routes: [{ family: 4 as const, table, dst: '10.0.0.0/24', dev: ifname }, { family: 4 as const, table, dst: '0.0.0.0/0', via: '10.0.0.1', dev: ifname }],
  rules: [{ family: 4 as const, priority: 1000, from: `${ip}/32`, table }],
});
const merge = (...parts: Array<Pick<RoutingState, 'routes' | 'rules'>>) => state({ routes: parts.flatMap((p) => p.routes), rules: parts.flatMap((p) => p.rules) });
const input = (ifname: string, preferred: number, addresses: string[], actual: RoutingState) => ({ ifname, preferred, rulePriority: 1000, addresses, actual });

test('U-RT-63 an empty pod: the preferred table (from the name) is taken', (t) => {
  t.deepEqual(chooseTable(input('net1', 101, ['10.0.0.5'], state({}))), { table: 101, owned: [] });
});

test('U-RT-64 the preferred table held by another NIC (net1 before ext1, net01): the next free one, skipping used tables', (t) => {
  const net1 = nic(101, 'net1', '10.0.0.5');
  t.deepEqual(chooseTable(input('ext1', 101, ['10.1.0.5'], merge(net1))), { table: 102, owned: [] });
  const net2 = nic(102, 'net2', '10.2.0.5');
  t.deepEqual(chooseTable(input('net01', 101, ['10.1.0.5'], merge(net1, net2))), { table: 103, owned: [] });
  // A table used by any rule or route counts, of either family.
  const v6 = state({ routes: [{ family: 6, table: 102, dst: '::/0', via: 'fe80::1', dev: 'other' }] });
  t.is(chooseTable(input('ext1', 101, [], merge(net1, v6))).table, 103);
});

test('U-RT-65 re-ADD keeps the table the NIC has, found by its rules or its routes, even when the preferred one is free again', (t) => {
  const ext1 = nic(102, 'ext1', '10.1.0.5');
  t.deepEqual(chooseTable(input('ext1', 101, ['10.1.0.5'], merge(ext1))), { table: 102, owned: [102] });
  // Rules gone (or no address known): the routes through the NIC still name its table.
  t.deepEqual(chooseTable(input('ext1', 101, [], state({ routes: ext1.routes }))), { table: 102, owned: [102] });
  // Routes gone: the rules from its address do.
  t.deepEqual(chooseTable(input('ext1', 101, ['10.1.0.5'], state({ rules: ext1.rules }))), { table: 102, owned: [102] });
});

test('U-RT-66 ownedTables never claims another NIC\'s table: a shared table, rules of other addresses or priorities, main', (t) => {
  const net1 = nic(101, 'net1', '10.0.0.5');
  const shared = state({ routes: [...net1.routes, { family: 4, table: 101, dst: '10.9.0.0/24', dev: 'ext1' }] });
  t.deepEqual(ownedTables({ ifname: 'ext1', rulePriority: 1000, addresses: [], actual: shared }), []);
  t.deepEqual(ownedTables({ ifname: 'ext1', rulePriority: 1000, addresses: ['10.1.0.5'], actual: merge(net1) }), []);
  const otherPriority = state({ rules: [{ family: 4, priority: 900, from: '10.1.0.5/32', table: 300 }, { family: 4, priority: 1000, from: '10.1.0.5/32', to: '10.96.0.0/16', table: 301 }] });
  t.deepEqual(ownedTables({ ifname: 'ext1', rulePriority: 1000, addresses: ['10.1.0.5'], actual: otherPriority }), []);
  const main = state({ routes: [{ family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.1.0.1', dev: 'ext1' }] });
  t.deepEqual(ownedTables({ ifname: 'ext1', rulePriority: 1000, addresses: [], actual: main }), []);
});

test('U-RT-67 a NIC with stale tables keeps the preferred one if it has it, else its lowest; all are owned (cleared)', (t) => {
  const a = nic(101, 'net1', '10.0.0.5');
  const b = nic(150, 'net1', '10.0.0.5');
  t.deepEqual(chooseTable(input('net1', 101, ['10.0.0.5'], merge(a, b))), { table: 101, owned: [101, 150] });
  t.deepEqual(chooseTable(input('net1', 120, ['10.0.0.5'], merge(a, b))), { table: 101, owned: [101, 150] });
});

test('U-RT-68 the free scan never lands on the kernel\'s tables 253, 254, 255', (t) => {
  const used = merge(nic(252, 'x', '10.0.0.1'));
  t.is(chooseTable(input('net1', 252, [], used)).table, 256);
  t.is(chooseTable(input('net1', 253, [], state({}))).table, 256);
});

test('U-RT-69 withTable moves the planned routes and rules of one table to another, main untouched', (t) => {
  const plan = state({ routes: [{ family: 4, table: 101, dst: '10.0.0.0/24', dev: 'net1' }, { family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.0.0.1', dev: 'eth0' }], rules: [{ family: 4, priority: 1000, from: '10.0.0.5/32', table: 101 }] });
  t.deepEqual(withTable(plan, 101, 104), state({
    routes: [{ family: 4, table: 104, dst: '10.0.0.0/24', dev: 'net1' }, { family: 4, table: 'main', dst: '0.0.0.0/0', via: '10.0.0.1', dev: 'eth0' }],
    rules: [{ family: 4, priority: 1000, from: '10.0.0.5/32', table: 104 }],
  }));
  t.is(withTable(plan, 101, 101), plan);
});
