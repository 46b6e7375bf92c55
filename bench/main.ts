// `npm run bench` (root): latency of nicpool-ipam against host-local, medians and ratios from
// one run. BENCH_ITERATIONS sets the sample size (default 40).
import { mkdir, writeFile } from 'node:fs/promises';
import { assertRoot, Lab } from '../test/support/netns.ts';
import { formatTable } from '../cli/lab/table.ts';
import { measureIpamLatency, type LatencyRow } from './ipam-latency.ts';

assertRoot('the benchmark');
const iterations = Number(process.env.BENCH_ITERATIONS ?? 40);
const lab = new Lab();
let rows: LatencyRow[];
try {
  rows = await measureIpamLatency(lab, iterations);
} finally {
  await lab.cleanup();
}

const median = (what: string) => rows.find((row) => row.what === what)?.median ?? Number.NaN;
const ms = (value: number) => value.toFixed(1);
process.stdout.write(`${formatTable(['what', 'median ms', 'p95 ms', 'n'], rows.map((row) => [row.what, ms(row.median), ms(row.p95), String(row.n)]))}\n\n`);

const floor = median('floor node -e 0');
const summary = {
  iterations,
  floorMs: floor,
  chainAddDelRatio: median('chain ADD+DEL macvlan + nicpool-ipam') / median('chain ADD+DEL macvlan + host-local'),
  ipamAddOverFloorMs: median('alone ADD  nicpool-ipam') - floor,
  ipamDelOverFloorMs: median('alone DEL  nicpool-ipam') - floor,
  target: 'nicpool-ipam ADD at most 15 ms (median) over the node -e 0 floor',
};
process.stdout.write(
  [
    `chain ADD+DEL, nicpool-ipam / host-local: ${summary.chainAddDelRatio.toFixed(2)}x`,
    `nicpool-ipam alone over the Node floor (${ms(floor)} ms): ADD +${ms(summary.ipamAddOverFloorMs)} ms, DEL +${ms(summary.ipamDelOverFloorMs)} ms (target ADD ≤ +15 ms)`,
  ].join('\n') + '\n',
);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/ipam-latency.json', import.meta.url), `${JSON.stringify({ rows, summary }, null, 2)}\n`);
