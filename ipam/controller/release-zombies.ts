import type { GcConfig } from '../../netconf/gc-config.ts';
import { planGc, type Release } from '../gc/plan-gc.ts';
import type { GcWorld, Reservation } from '../gc/world.ts';
import type { BlockClient } from '../store/kubernetes/block-client.ts';
import type { ClusterClient } from '../store/kubernetes/cluster-client.ts';
import { updateBlock } from '../store/kubernetes/update-block.ts';
import { nodeView, podView, reservationsOf, statefulSetView } from './controller-cache.ts';

export interface ReleaseDeps {
  blocks: BlockClient;
  cluster: ClusterClient;
  config: GcConfig;
  log: (line: string) => void;
  countRelease: (reason: string) => void;
}

/**
 * Frees one planned zombie, after deciding again on a fresh read of everything that decision
 * rests on: the block, the pod, its node, its Endpoint and StatefulSet. The cached plan only
 * nominates; a pod that an ADD just created, or an entry an agent just rewrote, survives here.
 * The block write removes exactly the entry that was judged (same holder at the same offset).
 */
export async function releaseZombie(candidate: Release, deps: ReleaseDeps): Promise<Release | undefined> {
  const { reservation } = candidate;
  const { namespace, name } = reservation.entry;
  const fresh = await deps.blocks.getBlock(reservation.block);
  const current = fresh && reservationsOf(fresh.block).find((r) => r.offset === reservation.offset);
  if (current === undefined || !sameHolder(current, reservation)) return undefined;

  const pod = await deps.cluster.getPod(namespace, name);
  const endpoint = await deps.cluster.getEndpoint(namespace, name);
  const ownerName = pod?.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'StatefulSet')?.name ?? (endpoint?.endpoint.spec.ownerKind === 'StatefulSet' ? endpoint.endpoint.spec.ownerName : undefined);
  const set = ownerName === undefined ? undefined : await deps.cluster.getStatefulSet(namespace, ownerName);
  const nodeName = pod?.spec?.nodeName;
  const node = nodeName === undefined ? undefined : await deps.cluster.getNode(nodeName);
  const world: GcWorld = {
    reservations: [current],
    pods: [pod && podView(pod)].flatMap((view) => view ?? []),
    nodes: node ? [nodeView(node)] : [],
    endpoints: endpoint ? [{ namespace, name, resourceVersion: endpoint.resourceVersion, spec: endpoint.endpoint.spec }] : [],
    statefulSets: [set && statefulSetView(set)].flatMap((view) => view ?? []),
    now: new Date(),
  };
  const confirmed = planGc(world, deps.config).releases[0];
  if (confirmed === undefined) return undefined;

  const freed = await updateBlock(deps.blocks, reservation.block, (block) => {
    const allocations = block.status?.allocations ?? {};
    const entry = allocations[String(reservation.offset)];
    if (entry === undefined || !sameHolder({ ...reservation, entry }, reservation)) return { value: false };
    const { [String(reservation.offset)]: _freed, ...kept } = allocations;
    return { status: { allocations: kept }, value: true };
  });
  if (!freed) return undefined;
  deps.log(`released ${reservation.ip} (pool ${reservation.pool}) of pod ${namespace}/${name} (UID ${reservation.entry.podUID}, ${reservation.entry.containerID} ${reservation.entry.ifname}, node ${reservation.entry.node}): ${confirmed.reason}`);
  deps.countRelease(confirmed.reason);
  return confirmed;
}

function sameHolder(a: Reservation, b: Reservation): boolean {
  return a.entry.podUID === b.entry.podUID && a.entry.containerID === b.entry.containerID && a.entry.ifname === b.entry.ifname;
}
