import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import { CniError } from '../../../netconf/errors.ts';
import { parseIpRange, RangeSet, type IpFamily } from '../../../netconf/ip/index.ts';
import { createBlockClient } from '../../store/kubernetes/block-client.ts';
import { IPPool } from '../../../netconf/ippool.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import { ReservedIP } from '../../../netconf/reserved-ip.ts';
import type { CompiledPool } from '../../pools/compiled-pool.ts';
import { splitPoolSet } from '../../pools/pool-set.ts';
import { BlockCache } from './block-cache.ts';
import { startWatchedList, type WatchedList } from '../../store/kubernetes/watched-list.ts';

/** A custom object as listed: we check it with our own schemas before use. */
type Custom = KubernetesObject & { spec?: unknown; status?: unknown };

/**
 * Everything the agent reads through watches (design §8.10): pools, reserved IPs, namespaces,
 * its own node and the pods scheduled to it — never every pod of the cluster. IPBlocks are
 * listed once at start and then known from the agent's own reads and writes (block-cache.ts).
 */
export interface ClusterCache {
  readonly blocks: BlockCache;
  /**
   * Every pool, compiled. Pools that overlap another are in it with `conflict` set
   * (splitPoolSet): refused for ADD by poolRejection, still there for DEL to release from.
   */
  pools(): ReadonlyMap<string, CompiledPool>;
  /** Addresses of ReservedIP objects, per family. */
  reserved(family: IpFamily): RangeSet;
  pod(namespace: string, name: string): V1Pod | undefined;
  namespace(name: string): V1Namespace | undefined;
  node(): V1Node | undefined;
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

export function startClusterCache(kc: KubeConfig, nodeName: string, log: (line: string) => void): ClusterCache {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const nicpool = (plural: string) => ({
    what: plural,
    path: `/apis/nicpool.io/v1/${plural}`,
    list: () => custom.listClusterCustomObject({ group: 'nicpool.io', version: 'v1', plural }) as Promise<KubernetesListObject<Custom>>,
    log,
  });

  const blocks = new BlockCache();
  let stopped = false;
  let compiled: { pools: Map<string, CompiledPool> } | { error: CniError } | undefined;
  let reserved: Record<IpFamily, RangeSet> | undefined;
  let setAside = new Set<string>();
  let recompiling = false;
  // Compiled again soon after a change (not only at the next ADD), so that a pool set aside or
  // taken back is logged when it happens.
  const poolsChanged = () => {
    compiled = undefined;
    if (recompiling) return;
    recompiling = true;
    setImmediate(() => {
      recompiling = false;
      if (!stopped) compiled ??= compile();
    });
  };
  const reservedChanged = () => (reserved = undefined);

  const watches = {
    pools: startWatchedList<Custom>(kc, { ...nicpool('ippools'), onChange: poolsChanged, onDelete: poolsChanged }),
    reserved: startWatchedList<Custom>(kc, { ...nicpool('reservedips'), onChange: reservedChanged, onDelete: reservedChanged }),
    namespaces: startWatchedList<V1Namespace>(kc, { what: 'namespaces', path: '/api/v1/namespaces', list: () => core.listNamespace(), log }),
    node: startWatchedList<V1Node>(kc, {
      what: `node ${nodeName}`,
      path: '/api/v1/nodes',
      list: () => core.listNode({ fieldSelector: `metadata.name=${nodeName}` }),
      fieldSelector: `metadata.name=${nodeName}`,
      log,
    }),
    pods: startWatchedList<V1Pod>(kc, {
      what: `pods on ${nodeName}`,
      path: '/api/v1/pods',
      list: () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` }),
      fieldSelector: `spec.nodeName=${nodeName}`,
      log,
    }),
  } satisfies Record<string, WatchedList<KubernetesObject>>;

  /** Every block once, retried until the API answers (as the watches are). */
  async function listBlocks(): Promise<void> {
    const client = createBlockClient(kc);
    while (!stopped) {
      try {
        for (const read of await client.listBlocks()) blocks.remember(read);
        return;
      } catch (error) {
        log(`listing IPBlocks failed (${(error as Error).message}); again in a second`);
        await delay(1000);
      }
    }
  }

  function compile(): { pools: Map<string, CompiledPool> } | { error: CniError } {
    // One bad pool must not stop every ADD: it is logged and left out (the admission webhook
    // keeps such pools out of the API in the first place).
    const valid = watches.pools.items().flatMap((object) => {
      try {
        const metadata = { name: object.metadata?.name, ...(object.metadata?.labels && { labels: object.metadata.labels }) };
        return [parseOrThrow(IPPool, { metadata, spec: object.spec }, { root: `IPPool ${object.metadata?.name}` })];
      } catch (error) {
        log(`ignoring IPPool: ${(error as Error).message}`);
        return [];
      }
    });
    try {
      const split = splitPoolSet(valid);
      for (const pool of split.conflicting.values()) if (!setAside.has(pool.name)) log(`IPPool ${pool.name} set aside: it ${pool.conflict.message}`);
      for (const name of setAside) if (split.usable.has(name)) log(`IPPool ${name} serves again: it overlaps no other pool`);
      setAside = new Set(split.conflicting.keys());
      return { pools: split.all };
    } catch (error) {
      if (error instanceof CniError) return { error };
      throw error;
    }
  }

  function compileReserved(): Record<IpFamily, RangeSet> {
    const ranges: Record<IpFamily, [bigint, bigint][]> = { 4: [], 6: [] };
    for (const object of watches.reserved.items()) {
      const parsed = ReservedIP.safeParse({ metadata: { name: object.metadata?.name }, spec: object.spec });
      if (!parsed.success) continue;
      for (const entry of parsed.data.spec.ips) {
        const range = parseIpRange(entry);
        if (!('error' in range)) ranges[range.family].push([range.start, range.end]);
      }
    }
    return { 4: RangeSet.of(4, ranges[4]), 6: RangeSet.of(6, ranges[6]) };
  }

  return {
    blocks,
    pools() {
      compiled ??= compile();
      if ('error' in compiled) throw compiled.error;
      return compiled.pools;
    },
    reserved: (family) => (reserved ??= compileReserved())[family],
    pod: (namespace, name) => watches.pods.get(name, namespace),
    namespace: (name) => watches.namespaces.get(name),
    node: () => watches.node.get(nodeName),
    synced: Promise.all([...Object.values(watches).map((watch) => watch.synced), listBlocks()]).then(() => undefined),
    async stop() {
      stopped = true;
      await Promise.all(Object.values(watches).map((watch) => watch.stop()));
    },
  };
}
