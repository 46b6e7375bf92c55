import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1DaemonSet, V1Deployment, V1Job, V1Node, V1Pod, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import { EndpointSpec } from '../../netconf/endpoint.ts';
import { formatIp, parseIp } from '../../netconf/ip/index.ts';
import { IPBlock } from '../../netconf/ipblock.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { statefulSetShape } from '../agent/kubernetes/pod-facts.ts';
import type { EndpointView, GcWorld, NodeView, PodView, Reservation, StatefulSetView } from '../gc/world.ts';
import { startWatchedList, type WatchedList } from '../store/kubernetes/watched-list.ts';

export type Custom = KubernetesObject & { spec?: unknown; status?: unknown };

export interface ListedPool {
  pool: IPPool;
  object: Custom;
}

/** A workload object as listed, with its kind (list items carry none). */
export interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'Job' | 'DaemonSet';
  object: KubernetesObject & { spec?: unknown; status?: unknown };
}

export interface ControllerCache {
  /** The GC world as the watches show it now, with how long this controller has seen each reservation. */
  world(now: Date, seenForMs: ReadonlyMap<string, number>): GcWorld;
  /** The valid IPPools, parsed (labels kept), each with its object as listed (version, status). */
  pools(): readonly ListedPool[];
  /** Every address held, from the IPBlocks. */
  reservations(): Reservation[];
  subnets(): readonly Custom[];
  reservedIPs(): readonly Custom[];
  /** The workloads that may ask for auto-pools, with their kind. */
  workloads(): readonly Workload[];
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The controller's watches: every pod, node, Endpoint, IPBlock, IPPool, Subnet and workload
 * (Deployments, StatefulSets, ReplicaSets, DaemonSets, Jobs) of the cluster (one process,
 * unlike the agents). `onChange` is told of the events that can make a
 * zombie or move a counter: pods deleted, terminating or finished; nodes, StatefulSets, IPBlocks
 * and IPPools changed.
 */
export function startControllerCache(kc: KubeConfig, onChange: () => void, log: (line: string) => void): ControllerCache {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const batch = kc.makeApiClient(BatchV1Api);
  const nicpool = (plural: string, extra: { onChange?: () => void } = {}) => ({
    what: plural,
    path: `/apis/nicpool.io/v1/${plural}`,
    list: () => custom.listClusterCustomObject({ group: 'nicpool.io', version: 'v1', plural }) as Promise<KubernetesListObject<Custom>>,
    log,
    ...(extra.onChange && { onChange: extra.onChange, onDelete: extra.onChange }),
  });
  const watches = {
    pods: startWatchedList<V1Pod>(kc, {
      what: 'pods',
      path: '/api/v1/pods',
      list: () => core.listPodForAllNamespaces(),
      // A pod that starts terminating or has finished may hold a zombie-to-be; other updates cannot.
      onChange: (pod) => (pod.metadata?.deletionTimestamp !== undefined || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') && onChange(),
      onDelete: onChange,
      log,
    }),
    nodes: startWatchedList<V1Node>(kc, { what: 'nodes', path: '/api/v1/nodes', list: () => core.listNode(), onChange, onDelete: onChange, log }),
    statefulSets: startWatchedList<V1StatefulSet>(kc, { what: 'statefulsets', path: '/apis/apps/v1/statefulsets', list: () => apps.listStatefulSetForAllNamespaces(), onChange, onDelete: onChange, log }),
    endpoints: startWatchedList<Custom>(kc, nicpool('endpoints')),
    blocks: startWatchedList<Custom>(kc, nicpool('ipblocks', { onChange })),
    pools: startWatchedList<Custom>(kc, nicpool('ippools', { onChange })),
    subnets: startWatchedList<Custom>(kc, nicpool('subnets', { onChange })),
    reservedIPs: startWatchedList<Custom>(kc, nicpool('reservedips', { onChange })),
    deployments: startWatchedList<V1Deployment>(kc, { what: 'deployments', path: '/apis/apps/v1/deployments', list: () => apps.listDeploymentForAllNamespaces(), onChange, onDelete: onChange, log }),
    replicaSets: startWatchedList<V1ReplicaSet>(kc, { what: 'replicasets', path: '/apis/apps/v1/replicasets', list: () => apps.listReplicaSetForAllNamespaces(), onChange, onDelete: onChange, log }),
    daemonSets: startWatchedList<V1DaemonSet>(kc, { what: 'daemonsets', path: '/apis/apps/v1/daemonsets', list: () => apps.listDaemonSetForAllNamespaces(), onChange, onDelete: onChange, log }),
    jobs: startWatchedList<V1Job>(kc, { what: 'jobs', path: '/apis/batch/v1/jobs', list: () => batch.listJobForAllNamespaces(), onChange, onDelete: onChange, log }),
  } satisfies Record<string, WatchedList<KubernetesObject>>;

  const reservations = () =>
    watches.blocks.items().flatMap((object) => {
      const block = IPBlock.safeParse(object);
      return block.success ? reservationsOf(block.data) : [];
    });

  return {
    world: (now, seenForMs) => ({
      reservations: reservations(),
      pods: watches.pods.items().flatMap((pod) => podView(pod) ?? []),
      nodes: watches.nodes.items().map(nodeView),
      endpoints: watches.endpoints.items().flatMap((object) => endpointView(object) ?? []),
      statefulSets: watches.statefulSets.items().flatMap((set) => statefulSetView(set) ?? []),
      now,
      seenForMs,
    }),
    pools: () =>
      watches.pools.items().flatMap((object) => {
        const parsed = IPPool.safeParse({ metadata: { name: object.metadata?.name, labels: object.metadata?.labels }, spec: object.spec });
        return parsed.success ? [{ pool: parsed.data, object }] : [];
      }),
    reservations,
    subnets: () => watches.subnets.items(),
    reservedIPs: () => watches.reservedIPs.items(),
    workloads: () => [
      ...watches.deployments.items().map((object) => ({ kind: 'Deployment' as const, object })),
      ...watches.statefulSets.items().map((object) => ({ kind: 'StatefulSet' as const, object })),
      // A Deployment's ReplicaSets are its own business: only bare ones are workloads here.
      ...watches.replicaSets.items().filter((set) => !set.metadata?.ownerReferences?.some((owner) => owner.controller)).map((object) => ({ kind: 'ReplicaSet' as const, object })),
      ...watches.daemonSets.items().map((object) => ({ kind: 'DaemonSet' as const, object })),
      ...watches.jobs.items().map((object) => ({ kind: 'Job' as const, object })),
    ],
    synced: Promise.all(Object.values(watches).map((watch) => watch.synced)).then(() => undefined),
    stop: async () => void (await Promise.all(Object.values(watches).map((watch) => watch.stop()))),
  };
}

export function reservationsOf(block: IPBlock): Reservation[] {
  const start = parseIp(block.spec.start)!;
  return Object.entries(block.status?.allocations ?? {}).map(([offset, entry]) => ({
    block: block.metadata.name,
    offset: Number(offset),
    ip: formatIp({ family: start.family, value: start.value + BigInt(offset) }),
    pool: block.spec.pool,
    entry,
  }));
}

export function podView(pod: V1Pod): PodView | undefined {
  const { namespace, name, uid } = pod.metadata ?? {};
  if (namespace === undefined || name === undefined || uid === undefined) return undefined;
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller);
  const deletion = pod.metadata?.deletionTimestamp;
  return {
    namespace,
    name,
    uid,
    nodeName: pod.spec?.nodeName,
    phase: pod.status?.phase,
    deletionTimestamp: deletion === undefined ? undefined : new Date(deletion),
    owner: owner && { kind: owner.kind, name: owner.name },
  };
}

/** The taint that says a node is shut down (Kubernetes' non-graceful node shutdown), whatever its effect. */
export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export function nodeView(node: V1Node): NodeView {
  return {
    name: node.metadata?.name ?? '',
    ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    outOfService: node.spec?.taints?.some((taint) => taint.key === OUT_OF_SERVICE_TAINT) ?? false,
  };
}

export function endpointView(object: Custom): EndpointView | undefined {
  const { namespace, name, resourceVersion } = object.metadata ?? {};
  const spec = EndpointSpec.safeParse(object.spec);
  if (namespace === undefined || name === undefined || resourceVersion === undefined || !spec.success) return undefined;
  return { namespace, name, resourceVersion, spec: spec.data };
}

export function statefulSetView(set: V1StatefulSet): StatefulSetView | undefined {
  const shape = statefulSetShape(set);
  const namespace = set.metadata?.namespace;
  return shape && namespace !== undefined ? { ...shape, namespace } : undefined;
}
