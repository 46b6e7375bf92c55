import * as z from 'zod/mini';

const Seconds = z.int().check(z.gte(0), z.lte(86_400));

/**
 * The GC settings of nicpool-controller (design §5), from its flags. Defaults are what ships:
 * a reservation younger than `allocationGraceSeconds` is never freed (an ADD may be in flight),
 * a pod Terminating on a lost node is freed `terminatingMarginSeconds` after its deletion
 * timestamp (which already includes its grace period), and a full scan runs every
 * `scanIntervalSeconds` besides the pod-delete events.
 */
export const GcConfig = z.strictObject({
  allocationGraceSeconds: z._default(Seconds, 30),
  terminatingMarginSeconds: z._default(Seconds, 30),
  releaseOnNodeLost: z._default(z.boolean(), true),
  scanIntervalSeconds: z._default(Seconds.check(z.gte(1)), 180),
});
export type GcConfig = z.infer<typeof GcConfig>;
