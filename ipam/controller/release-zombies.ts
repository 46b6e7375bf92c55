import type { GcConfig } from '../../netconf/gc-config.ts';
import type { IPBlock } from '../../netconf/ipblock.ts';
import { mapWithLimit } from '../concurrency/map-with-limit.ts';
import { planGc, type Release } from '../gc/plan-gc.ts';
import type { GcWorld, Reservation } from '../gc/world.ts';
import type { BlockClient } from '../store/kubernetes/block-client.ts';
import type { ClusterClient } from '../store/kubernetes/cluster-client.ts';
import { nodeView, podView, reservationsOf, statefulSetView } from './controller-cache.ts';

export interface ReleaseDeps {
  blocks: BlockClient;
  cluster: ClusterClient;
  config: GcConfig;
  /** How long this controller has seen each reservation (ReservationAges), by reservationKey. */
  seenForMs: ReadonlyMap<string, number>;
  log: (line: string) => void;
  countRelease: (reason: string) => void;
}

/** Fresh reads in flight at once while confirming one block's candidates. */
const confirmConcurrency = 16;

/** Rounds of read-decide-write on one block before it is left to the next pass. */
const decideAttempts = 3;

/**
 * Frees the planned zombies of one block, after deciding again on a fresh read of everything
 * each decision rests on: the block first, then the pod, its node, its Endpoint and
 * StatefulSet. The cached plan only nominates. The release is one compare-and-swap on the
 * resourceVersion of that first read, removing exactly the entries judged: if the block has
 * changed since (an ADD confirming its address after writing its Endpoint, design §8.8), the
 * write fails and everything is read and decided again; a decision is never applied to a
 * block newer than the reads it rests on (which is why this does not use updateBlock, whose
 * retries re-run the change on a fresh block). Returns the releases made.
 */
export async function releaseZombiesInBlock(block: string, candidates: readonly Release[], deps: ReleaseDeps): Promise<Release[]> {
  for (let attempt = 1; attempt <= decideAttempts; attempt++) {
    const fresh = await deps.blocks.getBlock(block);
    if (fresh === undefined) return [];
    const confirmed = (await mapWithLimit(candidates, confirmConcurrency, (candidate) => confirmZombie(candidate, fresh.block, deps))).flatMap((release) => release ?? []);
    if (confirmed.length === 0) return [];
    const allocations = { ...(fresh.block.status?.allocations ?? {}) };
    for (const { reservation } of confirmed) delete allocations[String(reservation.offset)];
    const written = await deps.blocks.replaceBlockStatus(block, { allocations }, fresh.resourceVersion);
    if (written.kind === 'Conflict') continue;
    for (const { reservation, reason } of confirmed) {
      const { namespace, name, podUID, containerID, ifname, node } = reservation.entry;
      deps.log(`released ${reservation.ip} (pool ${reservation.pool}) of pod ${namespace}/${name} (UID ${podUID}, ${containerID} ${ifname}, node ${node}): ${reason}`);
      deps.countRelease(reason);
    }
    return confirmed;
  }
  deps.log(`releases in IPBlock ${block} left to the next pass: it changed under ${decideAttempts} decisions`);
  return [];
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
  // Read after the block (releaseZombiesInBlock): an Endpoint written before the block's
  // version moved on is seen here, or the release's compare-and-swap fails.
  const world: GcWorld = {
    reservations: [current],
    pods: [pod && podView(pod)].flatMap((view) => view ?? []),
    nodes: node ? [nodeView(node)] : [],
    endpoints: endpoint ? [{ namespace, name, resourceVersion: endpoint.resourceVersion, spec: endpoint.endpoint.spec }] : [],
    statefulSets: [set && statefulSetView(set)].flatMap((view) => view ?? []),
    now: new Date(),
    seenForMs: deps.seenForMs,
  };
  return planGc(world, deps.config).releases[0];
}

function sameHolder(a: Reservation, b: Reservation): boolean {
  return a.entry.podUID === b.entry.podUID && a.entry.containerID === b.entry.containerID && a.entry.ifname === b.entry.ifname;
}
