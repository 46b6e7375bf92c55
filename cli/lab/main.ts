// `npm run lab` (as root): builds the routing lab, attaches its pods, prints every path
// (✓ reachable, ✗ not), and tears everything down. `npm run lab -- ipam` runs the IPAM demo
// (fixed IPs across re-creation); `npm run lab -- down` removes what a crashed run left.
import { execa } from 'execa';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertRoot, deleteNetns, Lab } from '../../test/support/netns.ts';
import { runIpamDemo } from './ipam-demo.ts';
import { runRoutingDemo } from './routing-demo.ts';
import { formatTable } from './table.ts';

assertRoot('the lab');
const mode = process.argv[2] ?? 'routing';
if (mode === 'down') {
  await removeLeftovers();
} else if (mode === 'ipam' || mode === 'routing') {
  const lab = new Lab();
  try {
    process.stdout.write(`${mode === 'ipam' ? await ipamTable(lab) : await routingTable(lab)}\n`);
  } finally {
    await lab.cleanup();
  }
} else {
  process.stderr.write('usage: npm run lab [-- routing|ipam|down]\n');
  process.exitCode = 2;
}

async function routingTable(lab: Lab): Promise<string> {
  const rows = await runRoutingDemo(lab);
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const table = formatTable(
    ['pod', 'NIC', 'address', 'table', 'client→pod', 'node→pod', 'pod→node', 'pod→service'],
    rows.map((row) => [row.pod, row.nic, row.address, row.table, mark(row.clientToPod), mark(row.nodeToPod), mark(row.podToNode), mark(row.podToService)]),
  );
  return `${table}\n\nThe router between the client and the pods drops packets by reverse path (rp_filter=1, ip6tables rpfilter).\nWithout nicpool-router, replies from net1's address leave through eth0 and are dropped: client→pod ✗.`;
}

async function ipamTable(lab: Lab): Promise<string> {
  const rows = await runIpamDemo(lab);
  return formatTable(['pod', 'NIC', 'addresses', 'note'], rows.map((row) => [row.pod, row.nic, row.addresses, row.note]));
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
