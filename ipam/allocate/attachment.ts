import type { IpAddress, IpFamily } from '../../netconf/ip/index.ts';

/** Who asks: one interface of one sandbox, and the pod behind it when Multus tells us. */
export interface Attachment {
  containerID: string;
  ifname: string;
  /** netconf `name` of the network. */
  network: string;
  pod: PodRef | undefined;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid: string | undefined;
}

/** What an ADD may say about its addresses and pools, from runtimeConfig, args and CNI_ARGS. */
export interface AddRequest {
  attachment: Attachment;
  requestedIps: IpAddress[];
  /** Pool names asked for by this attachment (CNI_ARGS NICPOOL_IPPOOLS or args.cni.ippools). */
  poolNames: string[];
  defaultPools: Partial<Record<IpFamily, string[]>>;
  /** Kubernetes store: pools from the pod's and its namespace's annotations (netconf/annotations.ts). */
  podPools?: Partial<Record<IpFamily, string[]>>;
  /** Kubernetes store: the auto-pools carved for the pod's workload from the Subnets it names. */
  autoPools?: Partial<Record<IpFamily, string[]>>;
  namespacePools?: Partial<Record<IpFamily, string[]>>;
  nodeName: string;
  /** Kubernetes store: the real labels that pool affinities match. */
  labels?: PoolFilterLabels;
}

export interface PoolFilterLabels {
  node: Readonly<Record<string, string>>;
  namespace: Readonly<Record<string, string>>;
  pod: Readonly<Record<string, string>>;
}

export function sameAttachment(a: { containerID: string; ifname: string }, b: { containerID: string; ifname: string }): boolean {
  return a.containerID === b.containerID && a.ifname === b.ifname;
}
