import { mapWithLimit } from '../../concurrency/map-with-limit.ts';
import type { ClusterClient } from '../../store/kubernetes/cluster-client.ts';
import type { BlockAllocator } from './block-allocator.ts';
import type { ClusterCache } from './cluster-cache.ts';
import { statefulSetWants } from '../../allocate/statefulset.ts';
import { statefulSetShape } from './pod-facts.ts';

export interface ReconcileOptions {
  nodeName: string;
  cache: ClusterCache;
  client: ClusterClient;
  allocator: BlockAllocator;
  log: (line: string) => void;
}

/**
 * Run once at start, before the socket accepts anything: frees the addresses that IPBlocks
 * give to pods of this node that no longer exist (an agent killed between its block write and
 * its Endpoint write, or DELs lost while it was down), and deletes their Endpoints. A pod is
 * gone only if the API says so on a fresh read, and a StatefulSet pod's addresses stay while
 * the set still wants its name. Returns how many addresses it freed.
 */
export async function reconcileNode({ nodeName, cache, client, allocator, log }: ReconcileOptions): Promise<number> {
  const pods = new Map<string, { namespace: string; name: string; uid: string; blocks: Set<string> }>();
  for (const { block } of cache.blocks.all()) {
    for (const entry of Object.values(block.status?.allocations ?? {})) {
      if (entry.node !== nodeName) continue;
      const key = `${entry.namespace}/${entry.name}/${entry.podUID}`;
      const pod = pods.get(key) ?? { namespace: entry.namespace, name: entry.name, uid: entry.podUID, blocks: new Set<string>() };
      pod.blocks.add(block.metadata.name);
      pods.set(key, pod);
    }
  }
  // Pods are checked 16 at a time: after a node's reboot there may be hundreds, and the releases
  // of one block made together share a write.
  const freedPerPod = await mapWithLimit([...pods.values()], 16, async (pod) => {
    const live = await client.getPod(pod.namespace, pod.name);
    if (live?.metadata?.uid === pod.uid) return 0;
    const read = await client.getEndpoint(pod.namespace, pod.name);
    const spec = read?.endpoint.spec;
    if (spec?.podUID === pod.uid && spec.ownerKind === 'StatefulSet' && spec.ownerName !== undefined) {
      if (statefulSetWants(statefulSetShape(await client.getStatefulSet(pod.namespace, spec.ownerName)), pod.name)) return 0;
    }
    let freed = 0;
    for (const block of pod.blocks) {
      const released = await allocator.releaseInBlock(block, (entry) => entry.podUID === pod.uid && entry.node === nodeName);
      freed += released.length;
      if (released.length > 0) log(`reconcile: released ${released.map((r) => r.ip).join(',')} of pod ${pod.namespace}/${pod.name} (UID ${pod.uid}, gone)`);
    }
    if (read && spec?.podUID === pod.uid) await client.deleteEndpoint(pod.namespace, pod.name, read.resourceVersion);
    return freed;
  });
  const freed = freedPerPod.reduce((sum, n) => sum + n, 0);
  return freed;
}
