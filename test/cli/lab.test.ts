// The main job's demo, run as a test: every pod gets addresses on both NICs and the
// re-created fixed-IP pod keeps its net1 address. Needs root.
import test from '../support/test.ts';
import { runIpamDemo } from '../../cli/lab/ipam-demo.ts';
import { runRoutingDemo } from '../../cli/lab/routing-demo.ts';
import { formatTable } from '../../cli/lab/table.ts';
import { assertRoot, Lab } from '../support/netns.ts';

test('L-01 the lab demo attaches 5 sandboxes on 2 NICs and the re-created db-0 keeps its net1 address', async (t) => {
  assertRoot('lab.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  const rows = await runIpamDemo(lab);
  t.is(rows.length, 10);
  t.false(rows.some((row) => row.addresses.startsWith('error')), JSON.stringify(rows));
  const db = rows.filter((row) => row.pod === 'db-0' && row.nic === 'net1').map((row) => row.addresses);
  t.deepEqual(db, ['10.20.0.12/24', '10.20.0.12/24']);
  t.regex(rows.at(-1)?.note ?? '', /kept its net1 IP/);
  t.is(new Set(rows.filter((row) => row.nic === 'eth0').map((row) => row.addresses)).size, 5);
});

test('L-02 formatTable aligns columns', (t) => {
  t.is(formatTable(['a', 'bb'], [['xyz', '1']]), 'a    bb\n---  --\nxyz  1');
});

test('L-03 the routing lab: every path of every pod works with the full chain; without nicpool-router only client→net1 fails', async (t) => {
  assertRoot('lab.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  const rows = await runRoutingDemo(lab);
  const failing = rows.flatMap((row) =>
    (['clientToPod', 'nodeToPod', 'podToNode', 'podToService'] as const).filter((path) => !row[path]).map((path) => `${row.pod} ${row.nic} ${row.address} ${path}`),
  );
  t.deepEqual(failing, ['control-0 (no router) net1 10.20.0.102 clientToPod', 'control-0 (no router) net1 fd00:20::102 clientToPod']);
  t.deepEqual([...new Set(rows.map((row) => `${row.nic} ${row.table}`))].sort(), ['eth0 main', 'net1 -', 'net1 101', 'net2 102']);
});
