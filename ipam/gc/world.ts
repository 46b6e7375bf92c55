import type { EndpointSpec } from '../../netconf/endpoint.ts';
import type { IPBlockAllocation } from '../../netconf/ipblock.ts';
import type { StatefulSetShape } from '../allocate/statefulset.ts';

/** One address held in an IPBlock: where, and by whom. */
export interface Reservation {
  block: string;
  offset: number;
  ip: string;
  pool: string;
  entry: IPBlockAllocation;
}

/** A pod as GC sees it. */
export interface PodView {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string | undefined;
  phase: string | undefined;
  deletionTimestamp: Date | undefined;
  /** Its controller (ownerReferences with controller: true). */
  owner: { kind: string; name: string } | undefined;
}

export interface NodeView {
  name: string;
  /** The Ready condition is True. */
  ready: boolean;
  /**
   * It carries the `node.kubernetes.io/out-of-service` taint: an operator (or a fencing agent)
   * says it is shut down, so nothing of it runs any more.
   */
  outOfService: boolean;
}

export interface EndpointView {
  namespace: string;
  name: string;
  spec: EndpointSpec;
  /** Deleting a stale Endpoint is conditional on it: an agent may be rewriting it for a new pod. */
  resourceVersion: string;
}

export interface StatefulSetView extends StatefulSetShape {
  namespace: string;
}

/**
 * Everything GC decides on: the reservations and the live state, read at `now` (the
 * controller's clock, compared only with the pods' deletion timestamps: design §5).
 */
export interface GcWorld {
  reservations: readonly Reservation[];
  pods: readonly PodView[];
  nodes: readonly NodeView[];
  endpoints: readonly EndpointView[];
  statefulSets: readonly StatefulSetView[];
  now: Date;
  /**
   * How long this controller has seen each reservation, in ms of its own monotonic clock, by
   * `reservationKey`; one it has not seen before is 0 ms old. The allocation grace counts this,
   * never the agent's `entry.at`: no rule compares two machines' clocks.
   */
  seenForMs: ReadonlyMap<string, number>;
}

/** One reservation's identity: the address (block, offset) and its holder (pod UID, sandbox, NIC). */
export function reservationKey(reservation: Reservation): string {
  const { block, offset, entry } = reservation;
  return `${block}/${offset}/${entry.podUID}/${entry.containerID}/${entry.ifname}`;
}
