import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, V1Namespace, V1Node, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import * as z from 'zod/mini';
import { Endpoint } from '../../../netconf/endpoint.ts';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import { classifyFailure, failureToCniError } from './api-errors.ts';
import { timeoutOptions } from './request-timeout.ts';

const ENDPOINTS = { group: 'nicpool.io', version: 'v1', plural: 'endpoints' } as const;

/** The label that lets an agent list the Endpoints of its own node. */
const NODE_LABEL = 'nicpool.io/node';

export interface ReadEndpoint {
  endpoint: Endpoint;
  resourceVersion: string;
}

/**
 * The objects the agent reads one at a time (pods, namespaces, nodes, StatefulSets) and the
 * Endpoints it writes. Absent is `undefined`, a lost race is `false`; every failure is a
 * CniError as in block-client.ts (code 11 when the API is unreachable or failing).
 */
export interface ClusterClient {
  readonly server: string;
  getPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  getNamespace(name: string): Promise<V1Namespace | undefined>;
  getNode(name: string): Promise<V1Node | undefined>;
  getStatefulSet(namespace: string, name: string): Promise<V1StatefulSet | undefined>;
  getEndpoint(namespace: string, name: string): Promise<ReadEndpoint | undefined>;
  /** Creates (no `resourceVersion`) or replaces at `resourceVersion`; false when another writer won. */
  writeEndpoint(endpoint: Endpoint, resourceVersion: string | undefined): Promise<boolean>;
  /** Deletes if still at `resourceVersion`; absent is success, a changed one is false. */
  deleteEndpoint(namespace: string, name: string, resourceVersion: string): Promise<boolean>;
}

const Versioned = z.looseObject({ metadata: z.looseObject({ resourceVersion: z.string() }) });

export function createClusterClient(kc: KubeConfig, options: { timeoutMs?: number } = {}): ClusterClient {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server ?? '(no current cluster)';
  const opts = timeoutOptions(options.timeoutMs ?? 10_000);

  /** Runs one API call; the statuses in `expected` become values, the rest CniErrors. */
  async function call<T, E>(what: string, run: () => Promise<T>, expected: { 404?: E; 409?: E; 412?: E }): Promise<T | E> {
    try {
      return await run();
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure?.kind === 'status' && failure.code in expected) return expected[failure.code as 404 | 409 | 412] as E;
      throw failureToCniError(error, server, what) ?? error;
    }
  }

  return {
    server,
    getPod: (namespace, name) => call(`reading pod ${namespace}/${name}`, () => core.readNamespacedPod({ namespace, name }, opts), { 404: undefined }),
    getNamespace: (name) => call(`reading namespace ${name}`, () => core.readNamespace({ name }, opts), { 404: undefined }),
    getNode: (name) => call(`reading node ${name}`, () => core.readNode({ name }, opts), { 404: undefined }),
    getStatefulSet: (namespace, name) =>
      call(`reading StatefulSet ${namespace}/${name}`, () => apps.readNamespacedStatefulSet({ namespace, name }, opts), { 404: undefined }),

    async getEndpoint(namespace, name) {
      const what = `reading Endpoint ${namespace}/${name}`;
      const object = await call(what, () => custom.getNamespacedCustomObject({ ...ENDPOINTS, namespace, name }, opts) as Promise<unknown>, { 404: undefined });
      return object === undefined ? undefined : readEndpoint(object, what);
    },

    async writeEndpoint(endpoint, resourceVersion) {
      const namespace = endpoint.metadata.namespace ?? 'default';
      const name = endpoint.metadata.name;
      const body = {
        ...endpoint,
        apiVersion: 'nicpool.io/v1',
        kind: 'Endpoint',
        metadata: { ...endpoint.metadata, labels: { [NODE_LABEL]: endpoint.spec.node }, ...(resourceVersion !== undefined && { resourceVersion }) },
      };
      const written = await call(
        `writing Endpoint ${namespace}/${name}`,
        () =>
          resourceVersion === undefined
            ? custom.createNamespacedCustomObject({ ...ENDPOINTS, namespace, body }, opts)
            : custom.replaceNamespacedCustomObject({ ...ENDPOINTS, namespace, name, body }, opts),
        { 409: false as const },
      );
      return written !== false;
    },

    async deleteEndpoint(namespace, name, resourceVersion) {
      const deleted = await call(
        `deleting Endpoint ${namespace}/${name}`,
        () => custom.deleteNamespacedCustomObject({ ...ENDPOINTS, namespace, name, body: { preconditions: { resourceVersion } } }, opts),
        { 404: true as const, 409: false as const },
      );
      return deleted !== false;
    },
  };

  function readEndpoint(object: unknown, what: string): ReadEndpoint {
    const versioned = Versioned.safeParse(object);
    if (!versioned.success) throw new CniError(CniCode.IoFailure, `${what}: no metadata.resourceVersion in the answer of ${server}`);
    // Only the fields we wrote: the API adds uid, timestamps and the like to metadata.
    const { metadata, spec } = object as { metadata: Record<string, unknown>; spec: unknown };
    const endpoint = parseOrThrow(Endpoint, { metadata: { name: metadata['name'], namespace: metadata['namespace'] }, spec }, { root: what, code: CniCode.IoFailure });
    return { endpoint, resourceVersion: versioned.data.metadata.resourceVersion };
  }
}
