import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { namespacePools, podPoolsFor, type NicPools } from '../../../netconf/annotations.ts';
import type { IpFamily } from '../../../netconf/ip/index.ts';
import type { PoolFilterLabels } from '../../allocate/attachment.ts';
import type { StatefulSetShape } from '../../allocate/statefulset.ts';

/** The pod's controller, as recorded in its Endpoint (a Deployment's pods name their ReplicaSet). */
export interface Owner {
  kind: string;
  name: string;
}

export function ownerOf(pod: V1Pod): Owner | undefined {
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller);
  return owner && { kind: owner.kind, name: owner.name };
}

/** What the pod and its namespace's annotations say about one NIC's pools, per family. */
export interface AnnotatedPools {
  podPools?: Partial<Record<IpFamily, string[]>>;
  namespacePools?: Partial<Record<IpFamily, string[]>>;
}

export function annotatedPools(pod: V1Pod, namespaceAnnotations: Readonly<Record<string, string>>, ifname: string): AnnotatedPools {
  const byFamily = (pools: NicPools | undefined) => pools && { ...(pools.ipv4 && { 4: pools.ipv4 }), ...(pools.ipv6 && { 6: pools.ipv6 }) };
  const podPools = byFamily(podPoolsFor(pod.metadata?.annotations ?? {}, ifname));
  const fromNamespace = byFamily(namespacePools(namespaceAnnotations));
  return { ...(podPools && { podPools }), ...(fromNamespace && { namespacePools: fromNamespace }) };
}

export function filterLabels(pod: V1Pod, namespaceLabels: Readonly<Record<string, string>> | undefined, nodeLabels: Readonly<Record<string, string>> | undefined, names: { namespace: string; node: string }): PoolFilterLabels {
  return {
    pod: pod.metadata?.labels ?? {},
    // The API server labels every namespace and node with its name; kept when the object is unread.
    namespace: namespaceLabels ?? { 'kubernetes.io/metadata.name': names.namespace },
    node: nodeLabels ?? { 'kubernetes.io/hostname': names.node },
  };
}

/** The shape the StatefulSet rule needs, from the API object. */
export function statefulSetShape(set: V1StatefulSet | undefined): StatefulSetShape | undefined {
  const name = set?.metadata?.name;
  return set && name !== undefined ? { name, replicas: set.spec?.replicas ?? 1, ordinalsStart: set.spec?.ordinals?.start ?? 0 } : undefined;
}
