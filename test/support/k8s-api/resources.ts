// Resource registry of the Kubernetes API test double: which
// group/version/plural exist, their kind, scope and behaviour. Data-driven so
// that serving one more resource is one line in RESOURCES.

export interface ResourceType {
  group: string; // '' for the core group (served under /api/v1)
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  // With a status subresource the main endpoint ignores .status and
  // /status changes only .status (as the real API server does).
  statusSubresource: boolean;
  // Pods are deleted gracefully (deletionTimestamp in the future, kubelet
  // finishes); other resources go at once unless they have finalizers.
  graceful: boolean;
  // Field selectors beyond metadata.name/metadata.namespace (which every
  // resource supports). For CRDs this must match the CRD's selectableFields.
  fields: readonly string[];
  // .status set on create for resources with a status subresource (the real
  // server resets the status a client sends on create).
  initialStatus?: Record<string, unknown>;
}

type Row = Omit<ResourceType, 'graceful' | 'fields' | 'statusSubresource'> & Partial<ResourceType>;

const row = (r: Row): ResourceType => ({ graceful: false, fields: [], statusSubresource: true, ...r });

export const NICPOOL_GROUP = 'nicpool.io';

export const RESOURCES: readonly ResourceType[] = [
  row({ group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, graceful: true, fields: ['spec.nodeName', 'status.phase'], initialStatus: { phase: 'Pending' } }),
  row({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false }),
  row({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, fields: ['status.phase'], initialStatus: { phase: 'Active' } }),
  row({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true }),
  row({ group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true }),
  row({ group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true }),
  row({ group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true }),
  row({ group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true }),
  row({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, statusSubresource: false }),
  row({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, statusSubresource: false }),
  row({ group: NICPOOL_GROUP, version: 'v1', plural: 'ippools', kind: 'IPPool', namespaced: false }),
  row({ group: NICPOOL_GROUP, version: 'v1', plural: 'subnets', kind: 'Subnet', namespaced: false }),
  row({ group: NICPOOL_GROUP, version: 'v1', plural: 'reservedips', kind: 'ReservedIP', namespaced: false }),
  row({ group: NICPOOL_GROUP, version: 'v1', plural: 'endpoints', kind: 'Endpoint', namespaced: true }),
  row({ group: NICPOOL_GROUP, version: 'v1', plural: 'ipblocks', kind: 'IPBlock', namespaced: false }),
];

// kubectl-style name: 'pods', 'deployments.apps', 'ippools.nicpool.io'.
// Unique even where plurals collide (core endpoints vs nicpool.io endpoints).
export function resourceKey(r: Pick<ResourceType, 'group' | 'plural'>): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

export function apiVersionOf(r: ResourceType): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export class ResourceRegistry {
  readonly #byKey = new Map<string, ResourceType>();

  constructor(types: readonly ResourceType[] = RESOURCES) {
    for (const t of types) this.#byKey.set(resourceKey(t), t);
  }

  // Lookup by URL parts; the version must match what is served.
  find(group: string, version: string, plural: string): ResourceType | undefined {
    const t = this.#byKey.get(resourceKey({ group, plural }));
    return t?.version === version ? t : undefined;
  }

  byKey(key: string): ResourceType {
    const t = this.#byKey.get(key);
    if (t === undefined) throw new Error(`test API server: unknown resource ${key}`);
    return t;
  }

  all(): ResourceType[] {
    return [...this.#byKey.values()];
  }
}
