import * as z from 'zod/mini';

/** One IP held by one attachment (container ID + interface), the unit of allocation. */
export const Allocation = z.object({
  ip: z.string(),
  pool: z.string(),
  containerID: z.string(),
  ifname: z.string(),
  /** netconf `name`: CNI GC only touches its own network's allocations. */
  network: z.string(),
  podNamespace: z.optional(z.string()),
  podName: z.optional(z.string()),
  podUID: z.optional(z.string()),
  allocatedAt: z.string(),
});
export type Allocation = z.infer<typeof Allocation>;

/** A fixed-IP pool remembers which pod name (and NIC) owns which address across re-creation. */
export const FixedBinding = z.object({
  ip: z.string(),
  pool: z.string(),
  podNamespace: z.string(),
  podName: z.string(),
  ifname: z.string(),
});
export type FixedBinding = z.infer<typeof FixedBinding>;

/** The whole local store: one JSON document, replaced atomically on every change. */
export const StoreState = z.object({
  version: z.literal(1),
  allocations: z.array(Allocation),
  fixedBindings: z.array(FixedBinding),
  /** Per pool, the last address handed out: the next ADD starts after it (fewer quick reuses). */
  cursors: z.record(z.string(), z.string()),
});
export type StoreState = z.infer<typeof StoreState>;

export function emptyStoreState(): StoreState {
  return { version: 1, allocations: [], fixedBindings: [], cursors: {} };
}
