// `npm run bench:scale`: the 1:1 benchmark at the IPAM level (bench/scale/run-scale.ts) — 1,000
// pods on exactly 1,000 IPs as 100 Deployments × 10 and 1 × 1,000, then 5,000 on 5,000 to show
// how cost grows. `-- --only 1000` runs the first alone. Writes bench/results/scale.{json,md}.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runScale, type PhaseReport, type ScaleOptions } from './run-scale.ts';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const log = (line: string) => process.stderr.write(`bench:scale: ${line}\n`);
const base: Omit<ScaleOptions, 'pods' | 'deployments'> = { nodes: 10, perNodeParallel: 10, lostDelEvery: 10, offSeconds: 10, controllerArgs: [], phaseTimeoutSeconds: 900, log };
const runs = [
  { name: '1,000 pods (100 Deployments × 10)', pods: 1000, deployments: 100 },
  { name: '1,000 pods (1 Deployment × 1,000)', pods: 1000, deployments: 1 },
  { name: '5,000 pods (500 Deployments × 10)', pods: 5000, deployments: 500 },
].filter((run) => values.only === undefined || String(run.pods) === values.only);

const results: { name: string; phases: PhaseReport[] }[] = [];
for (const run of runs) {
  log(run.name);
  results.push({ name: run.name, phases: await runScale({ ...base, pods: run.pods, deployments: run.deployments }) });
}

const time = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s` : `${seconds.toFixed(1)}s`);
const wall = (phases: PhaseReport[], name: string) => phases.find((p) => p.phase === name)!;
const lines = [
  '# 1:1 benchmark (IPAM level, one 2-core VM)',
  '',
  `${base.nodes} simulated nodes (agent + kubelet/runtime simulator each, ${base.perNodeParallel} plugin processes in flight per node), the real nicpool-controller with its default GC settings, the HTTP test API server. Re-create loses 1 DEL in ${base.lostDelEvery}; recovery keeps the nodes off ${base.offSeconds} s (pods deleted with terminationGracePeriodSeconds 30, controller allocation grace 30 s, Terminating margin 30 s).`,
  '',
  '| run | create | re-create | recovery | delete | invariant violations |',
  '|---|---|---|---|---|---|',
  ...results.map(({ name, phases }) => `| ${name} | ${['create', 're-create', 'recovery', 'delete'].map((p) => time(wall(phases, p).wallSeconds)).join(' | ')} | ${phases.reduce((n, p) => n + p.violations.length, 0)} |`),
  '',
  ...results.flatMap(({ name, phases }) => [
    `## ${name}`,
    '',
    '| phase | wall | ADD median / p99 | pod ready median / p99 | failed ADDs | plugin execs | API requests | 409s | GC releases | peak RSS agent / controller |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...phases.map((p) => `| ${p.phase} | ${time(p.wallSeconds)} | ${p.addMedianMs ?? '-'} / ${p.addP99Ms ?? '-'} ms | ${p.podReadyMedianMs ?? '-'} / ${p.podReadyP99Ms ?? '-'} ms | ${p.failedAdds} | ${p.pluginExecs} | ${p.apiRequests} | ${p.conflicts409} | ${Object.entries(p.gcReleases).map(([r, n]) => `${r} ${n}`).join(', ') || '-'} | ${p.peakRssMb.agentMax} / ${p.peakRssMb.controller} MB |`),
    ...phases.flatMap((p) => p.violations.map((v) => `- ${p.phase}: **${v}**`)),
    '',
  ]),
];
const markdown = `${lines.join('\n')}\n`;
process.stdout.write(markdown);
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
const suffix = values.only === undefined ? '' : `-${values.only}`;
await writeFile(new URL(`../results/scale${suffix}.md`, import.meta.url), markdown);
await writeFile(new URL(`../results/scale${suffix}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
process.exitCode = results.some(({ phases }) => phases.some((p) => p.violations.length > 0)) ? 1 : 0;
