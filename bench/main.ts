// `npm run bench` (root): latency of nicpool-ipam against host-local and of the full chain
// against host-local + sbr, medians and ratios from one run. BENCH_ITERATIONS sets the sample
// size (default 40).
import { mkdir, writeFile } from 'node:fs/promises';
import { assertRoot, Lab } from '../test/support/netns.ts';
import { formatTable } from '../cli/lab/table.ts';
import { measureChainLatency } from './chain-latency.ts';
import { measureIpamLatency } from './ipam-latency.ts';
import type { LatencyRow } from './stats.ts';

assertRoot('the benchmark');
const iterations = Number(process.env.BENCH_ITERATIONS ?? 40);
const lab = new Lab();
let rows: LatencyRow[];
try {
  rows = [...(await measureIpamLatency(lab, iterations)), ...(await measureChainLatency(lab, iterations))];
} finally {
  await lab.cleanup();
}

const median = (what: string) => rows.find((row) => row.what === what)?.median ?? Number.NaN;
process.stdout.write(`${formatTable(['what', 'median ms', 'p95 ms', 'n'], rows.map((row) => [row.what, row.median.toFixed(1), row.p95.toFixed(1), String(row.n)]))}\n\n`);

const floor = median('floor node -e 0');
const chain = (name: string) => median(`chain ADD+DEL ${name}`);
const net1 = (name: string) => median(`net1 ADD+DEL ${name}`);
const netnsFloor = median('floor node -e 0 (in the node netns)');
const summary = {
  iterations,
  floorMs: floor,
  ipam: {
    chainAddDelRatioVsHostLocal: chain('macvlan + nicpool-ipam') / chain('macvlan + host-local'),
    addOverFloorMs: median('alone ADD  nicpool-ipam') - floor,
    delOverFloorMs: median('alone DEL  nicpool-ipam') - floor,
    target: 'ADD at most 15 ms (median) over the floor',
  },
  fullChain: {
    addDelRatioVsHostLocalSbr: net1('  + nicpool-router (full chain)') / net1('macvlan + host-local + sbr'),
    // Exec'd alone in the node netns, against the floor measured the same way.
    coordinatorOverFloorMs: { add: median('alone ADD  nicpool-coordinator') - netnsFloor, del: median('alone DEL  nicpool-coordinator') - netnsFloor },
    routerOverFloorMs: { add: median('alone ADD  nicpool-router') - netnsFloor, del: median('alone DEL  nicpool-router') - netnsFloor },
    target: 'each meta plugin at most 20 ms over the floor',
  },
};
const ms = (value: number) => value.toFixed(1);
process.stdout.write(
  [
    `IPAM: chain ADD+DEL nicpool-ipam / host-local ${summary.ipam.chainAddDelRatioVsHostLocal.toFixed(2)}x; nicpool-ipam alone over the floor (${ms(floor)} ms): ADD +${ms(summary.ipam.addOverFloorMs)} ms, DEL +${ms(summary.ipam.delOverFloorMs)} ms (target ADD ≤ +15 ms)`,
    `Full chain ADD+DEL / macvlan + host-local + sbr: ${summary.fullChain.addDelRatioVsHostLocalSbr.toFixed(2)}x`,
    `alone over the floor (${ms(netnsFloor)} ms in the node netns): nicpool-coordinator ADD +${ms(summary.fullChain.coordinatorOverFloorMs.add)} / DEL +${ms(summary.fullChain.coordinatorOverFloorMs.del)} ms, nicpool-router ADD +${ms(summary.fullChain.routerOverFloorMs.add)} / DEL +${ms(summary.fullChain.routerOverFloorMs.del)} ms (target ≤ +20 ms each)`,
  ].join('\n') + '\n',
);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(new URL('./results/latency.json', import.meta.url), `${JSON.stringify({ rows, summary }, null, 2)}\n`);
