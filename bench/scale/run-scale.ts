// The 1:1 scale benchmark's driver (issue "The 1:1 benchmark"): the HTTP test API server (a
// test double) in this process, the real nicpool-controller, one real nicpool-agent and one
// node simulator (node-sim.ts, playing kubelet + runtime and exec'ing the real nicpool-ipam)
// per simulated node. This process plays the rest of the control plane: it creates the pods
// of N Deployments (bound to nodes round-robin, as a scheduler would), deletes them, marks nodes
// NotReady. Four phases, each timed until its condition holds and ended by the invariants of
// design §4: create, re-create (10% of the DELs lost), node failure and recovery, delete.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../../test/support/k8s-api/index.ts';
import { formatIp, parseIp } from '../../netconf/ip/index.ts';
import { LOSE_DEL_ANNOTATION, type SimEvent } from './sim-protocol.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const plugin = join(root, 'dist', 'plugins', 'nicpool-ipam');

export interface ScaleOptions {
  pods: number;
  deployments: number;
  nodes: number;
  /** Plugin processes in flight per node, as a runtime bounds them. */
  perNodeParallel: number;
  /** One pod in this many has its DEL lost in the re-create phase. */
  lostDelEvery: number;
  /** How long the nodes stay powered off in the failure phase. */
  offSeconds: number;
  /** Extra nicpool-controller flags (the benchmark ships with none: default GC settings). */
  controllerArgs: string[];
  /** A phase that has not finished by then fails the run (and the rest is not run). */
  phaseTimeoutSeconds: number;
  log: (line: string) => void;
}

export interface PhaseReport {
  phase: 'create' | 're-create' | 'recovery' | 'delete';
  wallSeconds: number;
  adds: number;
  /** The successful CNI ADD, exec to exit. */
  addMedianMs: number | null;
  addP99Ms: number | null;
  /** A pod's wait from the simulator seeing it to its address (retries and queueing included). */
  podReadyMedianMs: number | null;
  podReadyP99Ms: number | null;
  failedAdds: number;
  pluginExecs: number;
  apiRequests: number;
  conflicts409: number;
  gcReleases: Record<string, number>;
  peakRssMb: { agentMax: number; controller: number };
  violations: string[];
}

interface Daemon {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}

interface SimEvents {
  addMs: number[];
  readyMs: number[];
  failedAdds: number;
  execs: number;
}

export async function runScale(options: ScaleOptions): Promise<PhaseReport[]> {
  const outcome = { keepLogs: false };
  const dir = await mkdtemp(join(tmpdir(), 'np-scale-'));
  const api = await startTestApiServer({ historyLimit: 100_000 });
  const daemons: Daemon[] = [];
  try {
    return await phases(options, dir, api, daemons, outcome);
  } finally {
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    await Promise.all(daemons.map((daemon) => daemon.exited));
    await api.close();
    if (!outcome.keepLogs) await rm(dir, { recursive: true, force: true });
  }
}

async function phases(options: ScaleOptions, dir: string, api: TestApiServer, daemons: Daemon[], outcome: { keepLogs: boolean }): Promise<PhaseReport[]> {
  const { log } = options;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, api.kubeConfig().exportConfig(), { mode: 0o600 });
  const nodes = Array.from({ length: options.nodes }, (_, i) => `node-${i}`);
  const pods = api.store.registry.byKey('pods');
  for (const node of nodes) api.objects.seed('nodes', { metadata: { name: node }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  api.objects.seed('namespaces', { metadata: { name: 'bench' } });
  // A pool of exactly `pods` addresses from 10.96.0.1: any address not reclaimed blocks a pod.
  const first = parseIp('10.96.0.1')!.value;
  const last = formatIp({ family: 4, value: first + BigInt(options.pods) - 1n });
  api.objects.seed('ippools.nicpool.io', { metadata: { name: 'bench' }, spec: { ipVersion: 4, subnet: '10.96.0.0/16', ips: [`10.96.0.1-${last}`], default: true } });

  const events: SimEvents = { addMs: [], readyMs: [], failedAdds: 0, execs: 0 };
  const node = (argv: string[], ready: (line: string) => boolean, onLine?: (line: string) => void): Daemon => {
    // Each process's log goes to a file in the run's directory, kept when the run fails.
    const logFile = openSync(join(dir, `${daemons.length}-${argv[0]!.split('/').slice(-2).join('-')}.log`), 'a');
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', logFile] });
    closeSync(logFile);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const readyPromise = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        onLine?.(line);
        if (ready(line)) resolve();
      });
      void exited.then(() => reject(new Error(`${argv[0]} exited before it was ready`)));
    });
    readyPromise.catch(() => undefined);
    const daemon = { child, ready: readyPromise, exited };
    daemons.push(daemon);
    return daemon;
  };
  const socketOf = (name: string) => join(dir, name, 'agent.sock');
  const startNode = (name: string, afterReboot: boolean) => {
    const agent = node([join(root, 'ipam/agent/main.ts'), '--store', 'kubernetes', '--kubeconfig', kubeconfig, '--node-name', name, '--socket', socketOf(name)], (line) => line.startsWith('listening on '));
    const sim = node(
      [join(root, 'bench/scale/node-sim.ts'), '--kubeconfig', kubeconfig, '--node', name, '--plugin', plugin, '--socket', socketOf(name), '--parallel', String(options.perNodeParallel), ...(afterReboot ? ['--after-reboot'] : [])],
      (line) => line.includes('"ready"'),
      (line) => {
        const event = JSON.parse(line) as SimEvent;
        if (event.type === 'add') {
          events.addMs.push(event.execMs);
          events.readyMs.push(event.ms);
        }
        if (event.type === 'add-failed') events.failedAdds++;
        if (event.type === 'exec') events.execs++;
      },
    );
    return { agent, sim };
  };
  const controller = node([join(root, 'ipam/controller/main.ts'), '--kubeconfig', kubeconfig, '--metrics-address', '127.0.0.1:0', ...options.controllerArgs], (line) => line === 'controller started');
  let controllerPort = 0;
  createInterface({ input: controller.child.stdout! }).on('line', (line) => {
    const match = /^metrics on 127\.0\.0\.1:(\d+)$/.exec(line);
    if (match) controllerPort = Number(match[1]);
  });
  let running = nodes.map((name) => startNode(name, false));
  await Promise.all([controller.ready, ...running.flatMap(({ agent, sim }) => [agent.ready, sim.ready])]);
  log(`${options.nodes} nodes, pool of ${options.pods}, ${options.deployments} Deployments × ${options.pods / options.deployments}`);

  // --- helpers over the API double's store (no HTTP: the control plane's own work is not ours)
  let generation = 0;
  const createPods = () => {
    generation++;
    const perDeployment = options.pods / options.deployments;
    for (let i = 0; i < options.pods; i++) {
      const deployment = `app-${Math.floor(i / perDeployment)}`;
      api.objects.seed('pods', {
        metadata: {
          name: `${deployment}-g${generation}-${i % perDeployment}`,
          namespace: 'bench',
          labels: { app: deployment },
          // Only the pods the re-create phase deletes lose their DEL.
          annotations: generation === 1 && i % options.lostDelEvery === 0 ? { [LOSE_DEL_ANNOTATION]: 'true' } : {},
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-rs`, uid: `rs-${deployment}`, controller: true }],
        },
        spec: { nodeName: nodes[i % nodes.length], terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'app' }] },
        status: { phase: 'Pending' },
      });
    }
  };
  const livePods = () => api.store.list(pods, 'bench') as unknown as { metadata: { name: string; uid: string; deletionTimestamp?: string }; status?: { podIP?: string } }[];
  // Pods with an IP, kept from the store's events: counting by listing on every event would be O(n²).
  const withIp = new Set<string>();
  const existing = new Set<string>();
  api.store.subscribe((event) => {
    if (event.resource !== 'pods') return;
    const pod = event.object as unknown as { metadata: { name: string }; status?: { podIP?: string } };
    if (event.type === 'DELETED') existing.delete(pod.metadata.name);
    else existing.add(pod.metadata.name);
    if (event.type === 'DELETED' || !pod.status?.podIP) withIp.delete(pod.metadata.name);
    else withIp.add(pod.metadata.name);
  });
  const currentRunning = () => [...withIp].filter((name) => name.includes(`-g${generation}-`)).length;
  const deleteAllPods = () => {
    for (const pod of livePods()) if (pod.metadata.deletionTimestamp === undefined) api.store.delete(pods, 'bench', pod.metadata.name);
  };
  const until = (resources: string[], holds: () => boolean) =>
    new Promise<void>((resolve) => {
      if (holds()) return resolve();
      const stop = api.store.subscribe((event) => {
        if (!resources.includes(event.resource) || !holds()) return;
        stop();
        resolve();
      });
    });
  const held = () =>
    api.objects.list('ipblocks.nicpool.io').flatMap((object) => {
      const block = object as unknown as { spec: { start: string }; status?: { allocations?: Record<string, { podUID: string; namespace: string; name: string }> } };
      const start = parseIp(block.spec.start)!.value;
      return Object.entries(block.status?.allocations ?? {}).map(([offset, entry]) => ({ ip: formatIp({ family: 4, value: start + BigInt(offset) }), entry }));
    });
  const gcReleases = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${controllerPort}/metrics`)).text();
    return Object.fromEntries([...text.matchAll(/^nicpool_gc_releases_total\{reason="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
  };
  const rssMb = (daemon: Daemon) => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${daemon.child.pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? 0 : Math.round(Number(kb) / 1024);
    } catch {
      return 0;
    }
  };

  /** The invariants of design §4 at a phase's end: none held twice, none held by a pod that is not live, counters exact. */
  const invariants = async (expectHeld: number): Promise<string[]> => {
    const violations: string[] = [];
    const now = held();
    if (new Set(now.map((h) => h.ip)).size !== now.length) violations.push('an address is held twice');
    const live = new Map(livePods().filter((pod) => pod.metadata.deletionTimestamp === undefined).map((pod) => [pod.metadata.name, pod.metadata.uid]));
    const leaked = now.filter((h) => live.get(h.entry.name) !== h.entry.podUID);
    if (leaked.length > 0) violations.push(`${leaked.length} addresses held by pods that are gone (e.g. ${leaked[0]!.ip} of ${leaked[0]!.entry.name})`);
    if (now.length !== expectHeld) violations.push(`${now.length} addresses held, ${expectHeld} expected`);
    const counted = () => (api.objects.get('ippools.nicpool.io', 'bench') as unknown as { status?: { allocatedIPCount?: number } }).status?.allocatedIPCount;
    const settled = await Promise.race([until(['ippools.nicpool.io'], () => counted() === now.length).then(() => true), delay(30_000).then(() => false)]);
    if (!settled) violations.push(`IPPool allocatedIPCount is ${counted()}, the blocks hold ${now.length}`);
    return violations;
  };

  const reports: PhaseReport[] = [];
  const phase = async (name: PhaseReport['phase'], act: () => Promise<void>, expectHeld: () => number) => {
    events.addMs = [];
    events.readyMs = [];
    events.failedAdds = 0;
    events.execs = 0;
    api.metrics.reset();
    const before = await gcReleases();
    const started = performance.now();
    const finished = await Promise.race([act().then(() => true), delay(options.phaseTimeoutSeconds * 1000).then(() => false)]);
    const wallSeconds = (performance.now() - started) / 1000;
    const after = await gcReleases();
    const at = (values: number[], q: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    };
    const report: PhaseReport = {
      phase: name,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      adds: events.addMs.length,
      addMedianMs: at(events.addMs, 0.5),
      addP99Ms: at(events.addMs, 0.99),
      podReadyMedianMs: at(events.readyMs, 0.5),
      podReadyP99Ms: at(events.readyMs, 0.99),
      failedAdds: events.failedAdds,
      pluginExecs: events.execs,
      apiRequests: api.metrics.total,
      conflicts409: api.metrics.conflicts,
      gcReleases: Object.fromEntries(Object.entries(after).map(([reason, n]) => [reason, n - (before[reason] ?? 0)]).filter(([, n]) => Number(n) > 0)),
      peakRssMb: { agentMax: Math.max(...running.map(({ agent }) => rssMb(agent))), controller: rssMb(controller) },
      violations: finished ? await invariants(expectHeld()) : [`did not finish within ${options.phaseTimeoutSeconds} s (process logs kept in ${dir})`],
    };
    if (!finished) outcome.keepLogs = true;
    log(`${name}: ${report.wallSeconds} s, ADD median ${report.addMedianMs} ms p99 ${report.addP99Ms} ms, pod ready median ${report.podReadyMedianMs} ms p99 ${report.podReadyP99Ms} ms, ${report.pluginExecs} execs, ${report.apiRequests} API requests, ${report.conflicts409} 409s, GC ${JSON.stringify(report.gcReleases)}, violations ${report.violations.length}`);
    reports.push(report);
    return finished;
  };

  if (!(await phase(
    'create',
    async () => {
      createPods();
      await until(['pods'], () => currentRunning() === options.pods);
    },
    () => options.pods,
  ))) return reports;

  if (!(await phase(
    're-create',
    async () => {
      deleteAllPods();
      createPods();
      await until(['pods'], () => currentRunning() === options.pods);
    },
    () => options.pods,
  ))) return reports;

  if (!(await phase(
    'recovery',
    async () => {
      // Power off: agents and simulators die, the nodes go NotReady, every pod is deleted
      // (evicted) and stays Terminating (no kubelet), replacements are created at once.
      for (const { agent, sim } of running) {
        agent.child.kill('SIGKILL');
        sim.child.kill('SIGKILL');
      }
      await Promise.all(running.flatMap(({ agent, sim }) => [agent.exited, sim.exited]));
      const core = api.kubeConfig().makeApiClient(CoreV1Api);
      const setReady = (status: 'True' | 'Unknown') =>
        Promise.all(nodes.map((name) => core.replaceNodeStatus({ name, body: { metadata: { name }, status: { conditions: [{ type: 'Ready', status }] } } })));
      await setReady('Unknown');
      deleteAllPods();
      createPods();
      await delay(options.offSeconds * 1000);
      // Back: the nodes boot, their runtimes lost their state (no DEL for the old pods).
      await setReady('True');
      running = nodes.map((name) => startNode(name, true));
      await Promise.all(running.flatMap(({ agent, sim }) => [agent.ready, sim.ready]));
      await until(['pods'], () => currentRunning() === options.pods);
    },
    () => options.pods,
  ))) return reports;

  await phase(
    'delete',
    async () => {
      deleteAllPods();
      await until(['ipblocks.nicpool.io', 'pods'], () => existing.size === 0 && held().length === 0);
      await until(['ippools.nicpool.io'], () => (api.objects.get('ippools.nicpool.io', 'bench') as unknown as { status?: { allocatedIPCount?: number } }).status?.allocatedIPCount === 0);
    },
    () => 0,
  );
  return reports;
}
