import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { IPPoolStatus } from '../../netconf/crd-schema.ts';
import { compilePool } from '../pools/compiled-pool.ts';
import type { Reservation } from '../gc/world.ts';
import { classifyFailure } from '../store/kubernetes/api-errors.ts';
import { timeoutOptions } from '../store/kubernetes/request-timeout.ts';
import type { ListedPool } from './controller-cache.ts';

/**
 * Keeps each IPPool's status.allocatedIPCount and totalIPCount equal to its IPBlocks (what
 * `kubectl get ippools` shows). Written only when they differ, conditioned on the pool's
 * resourceVersion; a lost race is left to the next pass, which starts from the new version.
 */
export async function updatePoolCounters(kc: KubeConfig, pools: readonly ListedPool[], reservations: readonly Reservation[], log: (line: string) => void): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const allocated = new Map<string, number>();
  for (const { pool } of reservations) allocated.set(pool, (allocated.get(pool) ?? 0) + 1);
  for (const { pool, object } of pools) {
    const name = pool.metadata.name;
    const status = { allocatedIPCount: allocated.get(name) ?? 0, totalIPCount: Number(compilePool(pool).allocatable.size()) };
    const written = IPPoolStatus.safeParse(object.status ?? {});
    if (written.success && written.data.allocatedIPCount === status.allocatedIPCount && written.data.totalIPCount === status.totalIPCount) continue;
    const body = { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name, resourceVersion: object.metadata?.resourceVersion }, status };
    try {
      await api.replaceClusterCustomObjectStatus({ group: 'nicpool.io', version: 'v1', plural: 'ippools', name, body }, timeoutOptions(10_000));
    } catch (error) {
      const failure = classifyFailure(error);
      if (!(failure?.kind === 'status' && failure.code === 409)) log(`IPPool ${name}: status not written (${(error as Error).message})`);
    }
  }
}
