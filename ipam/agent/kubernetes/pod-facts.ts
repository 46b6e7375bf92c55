import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { autoPoolLabels, namespacePools, podPoolsFor, subnetsFor, type NicPools } from '../../../netconf/annotations.ts';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import type { CompiledPool } from '../../pools/compiled-pool.ts';
import { poolRejection, type FilterContext } from '../../select/pool-filters.ts';
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
  const podPools = byFamily(podPoolsFor(pod.metadata?.annotations ?? {}, ifname));
  const fromNamespace = byFamily(namespacePools(namespaceAnnotations));
  return { ...(podPools && { podPools }), ...(fromNamespace && { namespacePools: fromNamespace }) };
}

function byFamily(names: NicPools | undefined): Partial<Record<IpFamily, string[]>> | undefined {
  return names && { ...(names.ipv4 && { 4: names.ipv4 }), ...(names.ipv6 && { 6: names.ipv6 }) };
}

/**
 * The auto-pools that serve this pod's NIC: per family, the pools carved from the first Subnet
 * its annotation names for the NIC whose affinities (the workload's selector and namespace)
 * hold for the pod. A Subnet named but no such pool yet (the controller has not carved it) is
 * code 11: the runtime retries, and the controller's Event on the workload says why it waits.
 */
export function autoPoolsFor(pod: V1Pod, ifname: string, pools: ReadonlyMap<string, CompiledPool>, ctx: FilterContext): Partial<Record<IpFamily, string[]>> | undefined {
  const subnets = byFamily(subnetsFor(pod.metadata?.annotations ?? {}, ifname));
  if (subnets === undefined) return undefined;
  const chosen: Partial<Record<IpFamily, string[]>> = {};
  for (const family of [4, 6] as const) {
    const subnet = subnets[family]?.[0];
    if (subnet === undefined) continue;
    const serving = [...pools.values()].filter(
      (pool) => pool.family === family && pool.labels[autoPoolLabels.subnet] === subnet && pool.labels[autoPoolLabels.nic] === ifname && poolRejection(pool, ctx) === undefined,
    );
    if (serving.length === 0) {
      throw new CniError(CniCode.TryAgainLater, `no auto-pool of Subnet ${JSON.stringify(subnet)} serves ${ifname} of this pod yet (nicpool-controller carves it); try again later`);
    }
    chosen[family] = serving.map((pool) => pool.name);
  }
  return chosen;
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
