// `npm run lab` (as root): builds the netns lab, runs the demo, prints what each pod got,
// and tears everything down. `npm run lab -- down` removes what a crashed run left behind.
import { execa } from 'execa';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertRoot, deleteNetns, Lab } from '../../test/support/netns.ts';
import { runIpamDemo, type DemoRow } from './ipam-demo.ts';
import { formatTable } from './table.ts';

assertRoot('the lab');
if (process.argv[2] === 'down') {
  await removeLeftovers();
} else {
  const lab = new Lab();
  try {
    const rows = await runIpamDemo(lab);
    process.stdout.write(`${formatTable(['pod', 'NIC', 'addresses', 'note'], rows.map((row: DemoRow) => [row.pod, row.nic, row.addresses, row.note]))}\n`);
  } finally {
    await lab.cleanup();
  }
}

/** Everything the lab creates is named np-lab-*: namespaces (with their links) and temp dirs. */
async function removeLeftovers(): Promise<void> {
  const { stdout } = await execa('ip', ['netns', 'list']);
  const namespaces = stdout.split('\n').map((line) => line.split(' ')[0] ?? '').filter((name) => name.startsWith('np-lab-'));
  for (const name of namespaces) await deleteNetns(name);
  const dirs = (await readdir(os.tmpdir())).filter((name) => name.startsWith('np-lab-'));
  for (const dir of dirs) await rm(path.join(os.tmpdir(), dir), { recursive: true, force: true });
  process.stdout.write(`removed ${namespaces.length} namespaces and ${dirs.length} directories\n`);
}
