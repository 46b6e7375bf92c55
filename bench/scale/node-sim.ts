// One simulated node for `npm run bench:scale`: plays the kubelet and the container runtime.
// It watches the pods bound to its node and, as the runtime does, execs the real nicpool-ipam
// for each pod's ADD (bounded parallelism; a failed ADD is followed by a DEL of that sandbox and
// retried with a new one, with backoff) and for its DEL when the pod is deleted (unless the pod
// is marked to have its DEL lost), then finalizes the deletion. It reports each ADD on stdout as
// one JSON line. With --after-reboot, pods already Terminating when it starts are finalized
// without DEL (a rebooted node whose runtime lost its state, as Multus loses its cache).
// Usage: node bench/scale/node-sim.ts --kubeconfig F --node N --plugin P --socket S [--parallel 10] [--after-reboot]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { LOSE_DEL_ANNOTATION, type SimEvent } from './sim-protocol.ts';


const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    node: { type: 'string' },
    plugin: { type: 'string' },
    socket: { type: 'string' },
    parallel: { type: 'string', default: '10' },
    'after-reboot': { type: 'boolean', default: false },
  },
});
const node = values.node!;
const kc = new KubeConfig();
kc.loadFromFile(values.kubeconfig!);
const core = kc.makeApiClient(CoreV1Api);
const report = (event: SimEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);
const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'underlay', type: 'macvlan', ipam: { type: 'nicpool-ipam', store: 'kubernetes', agentSocket: values.socket } });

interface Exec {
  code: number;
  stdout: string;
}

function execPlugin(command: 'ADD' | 'DEL', pod: V1Pod, containerID: string): Promise<Exec> {
  const { namespace, name, uid } = pod.metadata!;
  const env = {
    PATH: process.env['PATH'] ?? '',
    CNI_COMMAND: command,
    CNI_CONTAINERID: containerID,
    CNI_NETNS: `/var/run/netns/${containerID}`,
    CNI_IFNAME: 'eth0',
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${name};K8S_POD_UID=${uid}`,
  };
  report({ type: 'exec', command });
  return new Promise((resolve) => {
    const child = spawn(values.plugin!, [], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    child.stdin.end(conf);
  });
}

// Bounded parallelism, as a runtime has: a queue of tasks and `parallel` workers.
const queue: (() => Promise<void>)[] = [];
let active = 0;
function schedule(task: () => Promise<void>): void {
  queue.push(task);
  pump();
}
function pump(): void {
  while (active < Number(values.parallel) && queue.length > 0) {
    const task = queue.shift()!;
    active++;
    void task().finally(() => {
      active--;
      pump();
    });
  }
}

const started = new Set<string>(); // pod UIDs whose ADD was started
const ended = new Set<string>(); // pod UIDs whose deletion was handled
const sandbox = new Map<string, string>(); // pod UID → container ID of its running sandbox
// Pods listed at start-up that are already Terminating were deleted while the node was off.
let listingAtBoot = true;

/**
 * One sandbox attempt. A failure is answered as the kubelet does: DEL of that sandbox, then a
 * new attempt after a backoff (1 s doubling to 10 s, jittered) that holds no runtime slot.
 */
async function tryPod(pod: V1Pod, attempt: number, begun: number): Promise<void> {
  const uid = pod.metadata!.uid!;
  if (ended.has(uid)) return;
  const containerID = `${uid.replace(/-/g, '')}-${attempt}`;
  const execStarted = performance.now();
  const add = await execPlugin('ADD', pod, containerID);
  if (add.code === 0) {
    sandbox.set(uid, containerID);
    const ip = (JSON.parse(add.stdout) as { ips: { address: string }[] }).ips[0]!.address.split('/')[0]!;
    report({ type: 'add', ms: performance.now() - begun, execMs: performance.now() - execStarted, attempts: attempt });
    await setPodIp(pod, ip);
    return;
  }
  report({ type: 'add-failed', code: (JSON.parse(add.stdout || '{}') as { code?: number }).code ?? -1 });
  await execPlugin('DEL', pod, containerID);
  const backoffMs = Math.min(10_000, 1000 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  setTimeout(() => schedule(() => tryPod(pod, attempt + 1, begun)), backoffMs);
}

async function setPodIp(pod: V1Pod, ip: string): Promise<void> {
  const { namespace, name } = pod.metadata!;
  const body = [
    { op: 'add', path: '/status/phase', value: 'Running' },
    { op: 'add', path: '/status/podIP', value: ip },
    { op: 'add', path: '/status/podIPs', value: [{ ip }] },
  ];
  await core.patchNamespacedPodStatus({ namespace: namespace!, name: name!, body }).catch(() => undefined);
}

async function endPod(pod: V1Pod, withDel: boolean): Promise<void> {
  const uid = pod.metadata!.uid!;
  const containerID = sandbox.get(uid);
  if (withDel && containerID !== undefined) await execPlugin('DEL', pod, containerID);
  // The kubelet's last word: the pod object goes (grace period 0).
  await core.deleteNamespacedPod({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, gracePeriodSeconds: 0 }).catch(() => undefined);
}

function onPod(pod: V1Pod): void {
  const uid = pod.metadata?.uid;
  if (uid === undefined) return;
  if (pod.metadata?.deletionTimestamp !== undefined) {
    if (ended.has(uid)) return;
    ended.add(uid);
    const staleFromBeforeReboot = values['after-reboot'] && listingAtBoot;
    const lost = pod.metadata.annotations?.[LOSE_DEL_ANNOTATION] === 'true';
    const withDel = !lost && !staleFromBeforeReboot;
    // A DEL is runtime work and waits for a slot; finalizing a pod without one is not.
    if (withDel) schedule(() => endPod(pod, true));
    else void endPod(pod, false);
    return;
  }
  if (started.has(uid) || pod.status?.podIP) return;
  started.add(uid);
  const begun = performance.now();
  schedule(() => tryPod(pod, 1, begun));
}

const watch = new ListWatch<V1Pod>('/api/v1/pods', new Watch(kc), () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }), false, undefined, `spec.nodeName=${node}`);
watch.on('add', onPod);
watch.on('update', onPod);
watch.on('error', () => setTimeout(() => void watch.start(), 500));
await watch.start();
listingAtBoot = false;
report({ type: 'ready' });
