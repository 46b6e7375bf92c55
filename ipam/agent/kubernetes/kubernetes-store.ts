import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { createBlockClient } from '../../store/kubernetes/block-client.ts';
import { createClusterClient } from '../../store/kubernetes/cluster-client.ts';
import type { AgentMetrics } from '../metrics.ts';
import type { AgentVerbs } from '../verbs.ts';
import { BlockAllocator } from './block-allocator.ts';
import { startClusterCache } from './cluster-cache.ts';
import { kubernetesVerbs } from './kubernetes-verbs.ts';
import { reconcileNode } from './reconcile.ts';

export interface KubernetesStoreOptions {
  /** A kubeconfig file; without one, the pod's service account (in cluster) or the default. */
  kubeconfig: string | undefined;
  nodeName: string;
  metrics: AgentMetrics;
  log: (line: string) => void;
}

export interface KubernetesStore {
  verbs: AgentVerbs;
  /** Sets the pool usage gauges from the IPBlock cache (called before each scrape). */
  publishUsage(): void;
  stop(): Promise<void>;
}

/**
 * The agent's Kubernetes store, ready to serve: caches listed, node reconciled. Pool usage is
 * published to the metrics from the IPBlock cache on every scrape.
 */
export async function startKubernetesStore({ kubeconfig, nodeName, metrics, log }: KubernetesStoreOptions): Promise<KubernetesStore> {
  const kc = new KubeConfig();
  if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  const cache = startClusterCache(kc, nodeName, log);
  const client = createClusterClient(kc);
  const allocator = new BlockAllocator({
    client: createBlockClient(kc),
    cache: cache.blocks,
    nodeName,
    update: { onWrite: () => metrics.countWrite(), onConflict: () => metrics.countConflict() },
  });
  log(`Kubernetes store on ${client.server}, node ${nodeName}: listing pools, reserved IPs, IPBlocks, namespaces, this node and its pods`);
  await cache.synced;
  const freed = await reconcileUntilDone(() => reconcileNode({ nodeName, cache, client, allocator, log }), log);
  log(`caches synced; reconciliation freed ${freed} address(es)`);
  let published = new Set<string>();
  return {
    verbs: kubernetesVerbs({ nodeName, cache, client, allocator, log }),
    publishUsage() {
      for (const name of published) if (!cache.pools().has(name)) metrics.forgetPool(name);
      published = new Set(cache.pools().keys());
      const allocated = new Map<string, number>();
      for (const { block } of cache.blocks.all()) {
        allocated.set(block.spec.pool, (allocated.get(block.spec.pool) ?? 0) + Object.keys(block.status?.allocations ?? {}).length);
      }
      for (const pool of cache.pools().values()) metrics.setPoolUsage(pool.name, allocated.get(pool.name) ?? 0, Number(pool.allocatable.size()));
    },
    stop: () => cache.stop(),
  };
}

/**
 * Reconciliation must finish before the socket opens (it is what makes a crash leak-free), and
 * what stops it is transient (the API server down or busy, code 11): so it is tried again, with
 * a backoff, rather than the agent giving up or serving unreconciled.
 */
async function reconcileUntilDone(reconcile: () => Promise<number>, log: (line: string) => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reconcile();
    } catch (error) {
      const waitMs = Math.min(10_000, 500 * 2 ** attempt);
      log(`reconciliation failed (${(error as Error).message}); again in ${waitMs} ms`);
      await delay(waitMs);
    }
  }
}
