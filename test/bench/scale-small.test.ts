// The 1:1 benchmark's correctness checks at CI size (bench/scale/run-scale.ts): 100 pods on
// exactly 100 IPs, 4 simulated nodes, every phase ended by the invariants of design §4. Its
// timings are the benchmark's business (npm run bench:scale), not asserted here. The GC grace
// and margin are shortened so the run takes seconds, not minutes.
import test from '../support/test.ts';
import { runScale } from '../../bench/scale/run-scale.ts';

/** Each phase takes 20–40 s on a busy 2-core machine; its deadline leaves room for one ten times slower at its worst moments. */
const phaseTimeoutSeconds = 240;

test('Y-01 create, re-create with 10% of the DELs lost, node failure and recovery, delete: 100 pods on 100 IPs, zero invariant violations', async (t) => {
  t.timeout((4 * phaseTimeoutSeconds + 60) * 1000, 'Y-01: four phases past their deadlines');
  const phases = await runScale({
    pods: 100,
    deployments: 10,
    nodes: 4,
    perNodeParallel: 5,
    lostDelEvery: 10,
    offSeconds: 2,
    controllerArgs: ['--allocation-grace', '5', '--terminating-margin', '5'],
    phaseTimeoutSeconds,
    log: (line) => t.log(line),
  });
  t.deepEqual(phases.map((p) => p.phase), ['create', 're-create', 'recovery', 'delete']);
  t.deepEqual(phases.flatMap((p) => p.violations.map((v) => `${p.phase}: ${v}`)), []);
  t.is(phases[0]!.adds, 100, 'create: every pod got its address');
  t.is(phases[1]!.adds, 100, 're-create: every replacement got one in a pool still full of the old pods');
  t.is(phases[1]!.gcReleases['pod-deleted'], 10, 're-create: the 10 lost DELs were made good by GC');
  t.is(phases[2]!.adds, 100, 'recovery: every replacement got one after the nodes came back');
});
