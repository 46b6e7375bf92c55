// The main job's demo, run as a test: every pod gets addresses on both NICs and the
// re-created fixed-IP pod keeps its net1 address. Needs root.
import test from 'ava';
import { runIpamDemo } from '../../cli/lab/ipam-demo.ts';
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
