import * as z from 'zod/mini';

const Seconds = z.int().check(z.gte(0), z.lte(86_400));

/**
 * The GC settings of nicpool-controller (design §5), from its flags. Defaults are what ships:
 * a reservation this controller has seen for less than `allocationGraceSeconds` is not freed
 * (an ADD may be in flight), a pod Terminating on a node that is gone or fenced (out-of-service
 * taint) is freed `terminatingMarginSeconds` after its deletion timestamp (which already
 * includes its grace period), and a full scan runs every `scanIntervalSeconds` besides the
 * pod-delete events. `releaseOnNodeLost` (off by default) also frees them on a node that is
 * merely NotReady: such a node may have lost only the API server, its pods still running.
 */
export const GcConfig = z.strictObject({
  allocationGraceSeconds: z._default(Seconds, 30),
  terminatingMarginSeconds: z._default(Seconds, 30),
  releaseOnNodeLost: z._default(z.boolean(), false),
  scanIntervalSeconds: z._default(Seconds.check(z.gte(1)), 180),
});
export type GcConfig = z.infer<typeof GcConfig>;
