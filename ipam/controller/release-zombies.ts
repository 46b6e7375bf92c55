import type { GcConfig } from '../../netconf/gc-config.ts';
import type { IPBlock } from '../../netconf/ipblock.ts';
import { mapWithLimit } from '../concurrency/map-with-limit.ts';
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

/** Fresh reads in flight at once while confirming one block's candidates. */
const confirmConcurrency = 16;

/**
 * Frees the planned zombies of one block, after deciding again on a fresh read of everything
 * each decision rests on: the block, the pod, its node, its Endpoint and StatefulSet. The cached
 * plan only nominates; a pod that an ADD just created, or an entry an agent just rewrote,
 * survives here. One compare-and-swap then removes exactly the entries judged (same holder at
 * the same offset). Returns the releases made.
 */
export async function releaseZombiesInBlock(block: string, candidates: readonly Release[], deps: ReleaseDeps): Promise<Release[]> {
  const fresh = await deps.blocks.getBlock(block);
  if (fresh === undefined) return [];
  const confirmed = (await mapWithLimit(candidates, confirmConcurrency, (candidate) => confirmZombie(candidate, fresh.block, deps))).flatMap((release) => release ?? []);
  if (confirmed.length === 0) return [];
  const released = await updateBlock(deps.blocks, block, (current) => {
    const allocations = { ...(current.status?.allocations ?? {}) };
    const done = confirmed.filter(({ reservation }) => {
      const entry = allocations[String(reservation.offset)];
      if (entry === undefined || !sameHolder({ ...reservation, entry }, reservation)) return false;
      delete allocations[String(reservation.offset)];
      return true;
    });
    return done.length === 0 ? { value: done } : { status: { allocations }, value: done };
  });
  for (const { reservation, reason } of released) {
    const { namespace, name, podUID, containerID, ifname, node } = reservation.entry;
    deps.log(`released ${reservation.ip} (pool ${reservation.pool}) of pod ${namespace}/${name} (UID ${podUID}, ${containerID} ${ifname}, node ${node}): ${reason}`);
    deps.countRelease(reason);
  }
  return released;
}

async function confirmZombie(candidate: Release, block: IPBlock, deps: ReleaseDeps): Promise<Release | undefined> {
  const { reservation } = candidate;
  const current = reservationsOf(block).find((r) => r.offset === reservation.offset);
  if (current === undefined || !sameHolder(current, reservation)) return undefined;
  const { namespace, name } = reservation.entry;
  const [pod, endpoint] = await Promise.all([deps.cluster.getPod(namespace, name), deps.cluster.getEndpoint(namespace, name)]);
  const ownerName = pod?.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'StatefulSet')?.name ?? (endpoint?.endpoint.spec.ownerKind === 'StatefulSet' ? endpoint.endpoint.spec.ownerName : undefined);
  const nodeName = pod?.spec?.nodeName;
  const [set, node] = await Promise.all([
    ownerName === undefined ? undefined : deps.cluster.getStatefulSet(namespace, ownerName),
    nodeName === undefined ? undefined : deps.cluster.getNode(nodeName),
  ]);
  const world: GcWorld = {
    reservations: [current],
    pods: [pod && podView(pod)].flatMap((view) => view ?? []),
    nodes: node ? [nodeView(node)] : [],
    endpoints: endpoint ? [{ namespace, name, resourceVersion: endpoint.resourceVersion, spec: endpoint.endpoint.spec }] : [],
    statefulSets: [set && statefulSetView(set)].flatMap((view) => view ?? []),
    now: new Date(),
  };
  return planGc(world, deps.config).releases[0];
}

function sameHolder(a: Reservation, b: Reservation): boolean {
  return a.entry.podUID === b.entry.podUID && a.entry.containerID === b.entry.containerID && a.entry.ifname === b.entry.ifname;
}
