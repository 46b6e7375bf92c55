import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { PoolConflict } from '../pools/compiled-pool.ts';
import { compilePool } from '../pools/compiled-pool.ts';
import type { Reservation } from '../gc/world.ts';
import { classifyFailure } from '../store/kubernetes/api-errors.ts';
import { timeoutOptions } from '../store/kubernetes/request-timeout.ts';
import type { ListedPool } from './controller-cache.ts';
import { withConflictCondition } from './pool-conflicts.ts';

/**
 * Keeps each IPPool's status equal to the cluster: allocatedIPCount and totalIPCount from its
 * IPBlocks (what `kubectl get ippools` shows), and its Conflict condition (pool-conflicts.ts).
 * Written only when it differs, conditioned on the pool's resourceVersion; a lost race is left
 * to the next pass, which starts from the new version. The one writer of IPPool status.
 */
export async function updatePoolCounters(
  kc: KubeConfig,
  pools: readonly ListedPool[],
  reservations: readonly Reservation[],
  conflicts: ReadonlyMap<string, PoolConflict>,
  log: (line: string) => void,
  now = new Date(),
): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const allocated = new Map<string, number>();
  for (const { pool } of reservations) allocated.set(pool, (allocated.get(pool) ?? 0) + 1);
  for (const { pool, object } of pools) {
    const name = pool.metadata.name;
    const written = (object.status ?? {}) as { allocatedIPCount?: unknown; totalIPCount?: unknown; conditions?: unknown };
    const conditions = withConflictCondition(written.conditions, conflicts.get(name), now);
    const status = {
      allocatedIPCount: allocated.get(name) ?? 0,
      totalIPCount: Number(compilePool(pool).allocatable.size()),
      ...(conditions.length > 0 && { conditions }),
    };
    if (written.allocatedIPCount === status.allocatedIPCount && written.totalIPCount === status.totalIPCount && isDeepStrictEqual(written.conditions ?? [], conditions)) continue;
    const body = { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name, resourceVersion: object.metadata?.resourceVersion }, status };
    try {
      await api.replaceClusterCustomObjectStatus({ group: 'nicpool.io', version: 'v1', plural: 'ippools', name, body }, timeoutOptions(10_000));
    } catch (error) {
      const failure = classifyFailure(error);
      if (!(failure?.kind === 'status' && failure.code === 409)) log(`IPPool ${name}: status not written (${(error as Error).message})`);
    }
  }
}
