import test from '../../support/test.ts';
import { tableFor } from '../../../routing/plan/table-for.ts';

test('U-RT-01 eth0 is table base + 0, net1 base + 1, net12 base + 12', (t) => {
  t.is(tableFor('eth0', 100), 100);
  t.is(tableFor('net1', 100), 101);
  t.is(tableFor('net2', 100), 102);
  t.is(tableFor('net12', 100), 112);
  t.is(tableFor('net99', 100), 199);
});

test('U-RT-02 the trailing number is added to any base', (t) => {
  t.is(tableFor('eth0', 1), 1);
  t.is(tableFor('net1', 1), 2);
  t.is(tableFor('net3', 1000), 1003);
  t.is(tableFor('net12', 5000), 5012);
});

test('U-RT-03 only trailing digits count: ens1f0 is base + 0, eth0a and net1x hash', (t) => {
  // "ens1f0" ends in 0, like eth0 (the trailing number is all that is read).
  t.is(tableFor('ens1f0', 100), 100);
  t.is(tableFor('eth0a', 100), 591);
  t.is(tableFor('net1x', 100), 285);
});

test('U-RT-04 names without trailing digits hash into base + 100 … base + 999, the same table for the same name', (t) => {
  const expected: Record<string, number> = { mgmt: 564, data: 681, storage: 614, lan: 316, wan: 637, uplink: 464, vf: 369, a: 720, b: 1077 };
  for (const [name, table] of Object.entries(expected)) {
    t.is(tableFor(name, 100), table, name);
    t.is(tableFor(name, 100), tableFor(name, 100), `${name} again`);
    t.is(tableFor(name, 5000), table + 4900, `${name} at base 5000`);
  }
});

test('U-RT-05 every hashed name lands inside base + 100 … base + 999', (t) => {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const outside: string[] = [];
  for (const a of letters) {
    for (const b of letters) {
      const table = tableFor(`if${a}${b}`, 100);
      if (table < 200 || table > 1099) outside.push(`if${a}${b} → ${table}`);
    }
  }
  t.deepEqual(outside, []);
});

test('U-RT-06 net23 and net123 get different tables', (t) => {
  t.not(tableFor('net123', 100), tableFor('net23', 100));
  t.not(tableFor('eth100', 100), tableFor('eth0', 100));
});

test('U-RT-07 no NIC name maps to the reserved tables 253, 254, 255', (t) => {
  const reserved = [253, 254, 255];
  for (const name of ['netgr', 'netbh', 'nettm']) t.false(reserved.includes(tableFor(name, 100)), `${name} → ${tableFor(name, 100)}`);
  for (const name of ['net53', 'net54', 'net55']) t.false(reserved.includes(tableFor(name, 200)), `${name} at base 200 → ${tableFor(name, 200)}`);
});
