import { autoPoolLabels } from '../../netconf/annotations.ts';
import type { AdmissionContext } from '../webhook/validate.ts';
import type { ControllerCache } from './controller-cache.ts';

/** What the webhook judges against, from the controller's caches, read at each request. */
export function admissionContext(cache: ControllerCache): AdmissionContext {
  const pools = cache.pools().map(({ pool }) => pool);
  const counts = new Map<string, number>();
  for (const { pool } of cache.reservations()) counts.set(pool, (counts.get(pool) ?? 0) + 1);
  return {
    pools,
    allocated: (pool) => counts.get(pool) ?? 0,
    autoPoolsOf: (subnet) => pools.filter((pool) => pool.metadata.labels?.[autoPoolLabels.subnet] === subnet),
  };
}
