// A simulated cluster for the agent's Kubernetes store: the HTTP test API server (a test
// double, see k8s-api/README.md), real nicpool-agent processes (one per simulated node) with
// a kubeconfig pointing at it, and the built nicpool-ipam exec'd against their sockets, as
// the kubelet's runtime would. Everything is removed in teardown.
import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIp, parseIp } from '../../netconf/ip/index.ts';
import type { IPBlockAllocation } from '../../netconf/ipblock.ts';
import { startAgent, startDaemon, type AgentProcess } from '../ipam/agent/agent-support.ts';
import { waitUntil } from './deadline.ts';
import type { ExecPluginResult } from './exec-plugin.ts';
import { ipamPlugin } from './ipam-lab.ts';
import { startTestApiServer, type TestApiServer } from './k8s-api/index.ts';
import { startPluginLauncher, type LaunchPlugin } from './plugin-launcher.ts';

export interface PodSpec {
  namespace?: string;
  name: string;
  node: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { kind: string; name: string };
}

export interface SimPod {
  namespace: string;
  name: string;
  uid: string;
  node: string;
}

export interface PluginCall {
  containerID: string;
  ifname?: string;
  /** Extra netconf ipam keys (merged over the defaults). */
  ipam?: Record<string, unknown>;
  /** prevResult for CHECK. */
  prevResult?: unknown;
  /** More CNI_ARGS, appended after the K8S_* ones. */
  args?: string;
  /** Top-level netconf keys (cniVersion, cni.dev/valid-attachments…). */
  conf?: Record<string, unknown>;
}

export interface HeldAddress {
  ip: string;
  pool: string;
  entry: IPBlockAllocation;
}

export interface SimCluster {
  api: TestApiServer;
  dir: string;
  kubeconfigPath: string;
  socketOf(node: string): string;
  startAgent(node: string, extraArgs?: string[]): Promise<AgentProcess>;
  /** A nicpool-controller process on the cluster, once its caches are synced. */
  startController(extraArgs?: string[]): Promise<AgentProcess>;
  seed(resource: string, object: object): void;
  addPod(spec: PodSpec): SimPod;
  /** Deletes the pod object at once (as after its grace period), not running any DEL. */
  removePod(pod: SimPod): void;
  ipam(command: string, pod: SimPod, call: PluginCall): Promise<ExecPluginResult>;
  /**
   * ADD as the kubelet runs it: an answer "try again later" (code 11: the agent's watch lags a
   * new pool, or GC took the address of an ADD in flight, design §8.8) is followed by DEL of
   * that sandbox and the ADD again, up to 20 times. Resolves with the last answer.
   */
  addAsKubelet(pod: SimPod, call: PluginCall): Promise<ExecPluginResult>;
  /** Every address held in every IPBlock, read straight from the double's store. */
  held(): HeldAddress[];
  /** Resolves once `count` more objects of `resource` were created (events of the store, no polling), or fails at the wait deadline. */
  created(resource: string, count: number): Promise<void>;
  /**
   * Resolves once `holds(state)` is true, checking now and after every change of `resource`;
   * fails at the wait deadline saying `what` it waited for and the last state seen.
   */
  until<T>(resource: string, state: () => T, holds: (value: T) => boolean, what?: string): Promise<T>;
}

const controllerMain = fileURLToPath(new URL('../../ipam/controller/main.ts', import.meta.url));

const kubeletAddAttempts = 20;

export function pool(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name }, spec };
}

export async function simCluster(t: ExecutionContext): Promise<SimCluster> {
  const api = await startTestApiServer();
  t.teardown(() => api.close());
  const dir = await mkdtemp(join(tmpdir(), 'np-cluster-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, api.kubeConfig().exportConfig(), { mode: 0o600 });
  const socketOf = (node: string) => join(dir, node, 'agent.sock');
  // One launcher per node, as each node has its own runtime.
  const launchers = new Map<string, LaunchPlugin>();

  const ipam: SimCluster['ipam'] = (command, pod, call) => {
    const conf = {
      cniVersion: '1.0.0',
      name: 'net',
      type: 'macvlan',
      ipam: { type: 'nicpool-ipam', store: 'kubernetes', agentSocket: socketOf(pod.node), ...call.ipam },
      ...(call.prevResult !== undefined && { prevResult: call.prevResult }),
      ...call.conf,
    };
    const launch = launchers.get(pod.node) ?? launchers.set(pod.node, startPluginLauncher(t)).get(pod.node)!;
    return launch(ipamPlugin, {
      command,
      containerID: call.containerID,
      netns: `/var/run/netns/${call.containerID}`,
      ifname: call.ifname ?? 'eth0',
      args: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_UID=${pod.uid}${call.args ? `;${call.args}` : ''}`,
      stdin: conf,
    });
  };

  return {
    api,
    dir,
    kubeconfigPath,
    socketOf,
    async startAgent(node, extraArgs = []) {
      if (api.objects.get('nodes', node) === undefined) {
        api.objects.seed('nodes', { metadata: { name: node, labels: { 'kubernetes.io/hostname': node } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
      }
      const agent = startAgent(t, socketOf(node), ['--store', 'kubernetes', '--kubeconfig', kubeconfigPath, '--node-name', node, ...extraArgs]);
      await agent.listening;
      return agent;
    },
    async startController(extraArgs = []) {
      const controller = startDaemon(t, [controllerMain, '--kubeconfig', kubeconfigPath, ...extraArgs], 'controller started');
      await controller.listening;
      return controller;
    },
    seed: (resource, object) => void api.objects.seed(resource, object),
    addPod(spec) {
      const namespace = spec.namespace ?? 'default';
      const uid = randomUUID();
      const owner = spec.owner && [{ apiVersion: 'apps/v1', kind: spec.owner.kind, name: spec.owner.name, uid: randomUUID(), controller: true }];
      api.objects.seed('pods', {
        metadata: { name: spec.name, namespace, uid, labels: spec.labels ?? {}, annotations: spec.annotations ?? {}, ...(owner && { ownerReferences: owner }) },
        spec: { nodeName: spec.node, containers: [{ name: 'app', image: 'app' }] },
        status: { phase: 'Running' },
      });
      // The double assigns its own uid on create: read back the one it keeps.
      const stored = api.objects.get('pods', spec.name, namespace);
      return { namespace, name: spec.name, uid: stored?.metadata.uid ?? uid, node: spec.node };
    },
    removePod: (pod) => void api.objects.forceDelete('pods', pod.name, pod.namespace),
    ipam,
    async addAsKubelet(pod, call) {
      for (let attempt = 1; ; attempt++) {
        const add = await ipam('ADD', pod, call);
        if (add.exitCode === 0 || attempt === kubeletAddAttempts || (add.json as { code?: number } | undefined)?.code !== 11) return add;
        await ipam('DEL', pod, call);
      }
    },
    async created(resource, count) {
      let seen = 0;
      const onAdded = (check: () => void) => api.store.subscribe((event) => void (event.resource === resource && event.type === 'ADDED' && (seen++, check())));
      await waitUntil(`${count} ${resource} to be created`, () => `${seen} created so far`, () => seen >= count, onAdded);
    },
    until(resource, state, holds, what = `a change of ${resource} that holds`) {
      return waitUntil(what, state, holds, (check) => api.store.subscribe((event) => void (event.resource === resource && check())));
    },
    held() {
      return api.objects.list('ipblocks.nicpool.io').flatMap((object) => {
        const block = object as unknown as { spec: { pool: string; start: string }; status?: { allocations?: Record<string, IPBlockAllocation> } };
        return Object.entries(block.status?.allocations ?? {}).map(([offset, entry]) => ({ ip: addOffset(block.spec.start, Number(offset)), pool: block.spec.pool, entry }));
      });
    },
  };
}

function addOffset(start: string, offset: number): string {
  const ip = parseIp(start);
  if (ip === undefined) throw new Error(`IPBlock start ${start} is not an address`);
  return formatIp({ family: ip.family, value: ip.value + BigInt(offset) });
}
