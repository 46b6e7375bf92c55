import type { GcConfig } from '../../netconf/gc-config.ts';
import { statefulSetWants } from '../allocate/statefulset.ts';
import { reservationKey, type EndpointView, type GcWorld, type PodView, type Reservation } from './world.ts';

/** Why a reservation is a zombie (design §5). */
export type ReleaseReason =
  /** No pod of that name exists. */
  | 'pod-deleted'
  /** A pod of that name exists with another UID (re-created; not a StatefulSet pod it is kept for). */
  | 'pod-recreated'
  /** The pod ran to completion (Succeeded or Failed): its sandbox is gone. */
  | 'pod-completed'
  /**
   * The pod is Terminating past its deletion time plus a margin, on a node that is gone or
   * fenced (out-of-service taint), or merely NotReady when `releaseOnNodeLost` says so.
   */
  | 'node-lost'
  /** The pod lives, but its Endpoint gives this NIC another sandbox or address. */
  | 'stale-sandbox'
  /** The pod lives, but no Endpoint of it records the address (an ADD that died half-way). */
  | 'no-endpoint';

export interface Release {
  reservation: Reservation;
  reason: ReleaseReason;
}

export interface GcPlan {
  releases: Release[];
  /** Endpoints of pods that are gone, whose addresses nobody keeps: to delete. */
  staleEndpoints: EndpointView[];
}

/**
 * The zombies among the reservations (pure). Never a reservation this controller has seen for
 * less than the allocation grace (an ADD may be in flight: an efficiency rule, the ADD's
 * confirm is the safety one, design §5), never one a StatefulSet keeps for the pod name (its
 * ordinal is still wanted), never one whose pod lives and whose Endpoint records it. The
 * controller runs this on its caches, then again on a fresh read of each candidate before
 * releasing it.
 */
export function planGc(world: GcWorld, config: GcConfig): GcPlan {
  const pods = byKey(world.pods);
  const endpoints = byKey(world.endpoints);
  const nodes = new Map(world.nodes.map((node) => [node.name, node]));
  const sets = byKey(world.statefulSets);
  const now = world.now.getTime();

  /** Whether a StatefulSet keeps the addresses of this pod name (owner from the pod or its Endpoint). */
  const keptForStatefulSet = (namespace: string, name: string): boolean => {
    const pod = pods.get(`${namespace}/${name}`);
    const endpoint = endpoints.get(`${namespace}/${name}`)?.spec;
    const owner = pod?.owner ?? (endpoint?.ownerKind && endpoint.ownerName ? { kind: endpoint.ownerKind, name: endpoint.ownerName } : undefined);
    return owner?.kind === 'StatefulSet' && statefulSetWants(sets.get(`${namespace}/${owner.name}`), name);
  };

  const reasonFor = (reservation: Reservation): ReleaseReason | undefined => {
    const { entry } = reservation;
    if ((world.seenForMs.get(reservationKey(reservation)) ?? 0) < config.allocationGraceSeconds * 1000) return undefined;
    const key = `${entry.namespace}/${entry.name}`;
    const pod = pods.get(key);
    const kept = () => keptForStatefulSet(entry.namespace, entry.name);
    if (pod === undefined) return kept() ? undefined : 'pod-deleted';
    if (pod.uid !== entry.podUID) return kept() ? undefined : 'pod-recreated';
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return kept() ? undefined : 'pod-completed';
    if (onLostNode(pod)) return kept() ? undefined : 'node-lost';
    const endpoint = endpoints.get(key)?.spec;
    if (endpoint === undefined || endpoint.podUID !== entry.podUID) return 'no-endpoint';
    const nic = endpoint.nics.find((candidate) => candidate.interface === entry.ifname);
    const recorded = nic !== undefined && nic.containerID === entry.containerID && (nic.ipv4 === reservation.ip || nic.ipv6 === reservation.ip);
    return recorded ? undefined : 'stale-sandbox';
  };

  const onLostNode = (pod: PodView): boolean => {
    if (pod.deletionTimestamp === undefined || now < pod.deletionTimestamp.getTime() + config.terminatingMarginSeconds * 1000) return false;
    const node = pod.nodeName === undefined ? undefined : nodes.get(pod.nodeName);
    // NotReady alone may be a node that lost only the API server while its pods run on: their
    // addresses go only if the operator opted in (releaseOnNodeLost).
    return node === undefined || node.outOfService || (config.releaseOnNodeLost && !node.ready);
  };

  const releases = world.reservations.flatMap((reservation) => {
    const reason = reasonFor(reservation);
    return reason === undefined ? [] : [{ reservation, reason }];
  });
  const heldBy = new Set(world.reservations.filter((r) => !releases.some((release) => release.reservation === r)).map((r) => r.entry.podUID));
  const staleEndpoints = world.endpoints.filter((endpoint) => {
    const pod = pods.get(`${endpoint.namespace}/${endpoint.name}`);
    const podGone = pod === undefined || pod.uid !== endpoint.spec.podUID;
    return podGone && !heldBy.has(endpoint.spec.podUID) && !keptForStatefulSet(endpoint.namespace, endpoint.name);
  });
  return { releases, staleEndpoints };
}

function byKey<T extends { namespace: string; name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [`${item.namespace}/${item.name}`, item]));
}
