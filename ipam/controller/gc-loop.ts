import type { KubeConfig } from '@kubernetes/client-node';
import type { GcConfig } from '../../netconf/gc-config.ts';
import { planGc } from '../gc/plan-gc.ts';
import type { BlockClient } from '../store/kubernetes/block-client.ts';
import type { ClusterClient } from '../store/kubernetes/cluster-client.ts';
import { reservationKey, type GcWorld } from '../gc/world.ts';
import type { ControllerCache } from './controller-cache.ts';
import type { ControllerMetrics } from './controller-metrics.ts';
import type { AutoPoolReconciler } from './auto-pools.ts';
import { eventRecorder } from './events.ts';
import { poolConflicts, sayPoolConflicts } from './pool-conflicts.ts';
import { updatePoolCounters } from './pool-counters.ts';
import { reportReservedHolders } from './reserved-holders.ts';
import { releaseZombiesInBlock } from './release-zombies.ts';
import { ReservationAges } from './reservation-ages.ts';

export interface GcLoopOptions {
  kc: KubeConfig;
  cache: ControllerCache;
  blocks: BlockClient;
  cluster: ClusterClient;
  config: GcConfig;
  metrics: ControllerMetrics;
  isLeader: () => boolean;
  autoPools: AutoPoolReconciler;
  log: (line: string) => void;
}

export interface GcLoop {
  /** Asks for a pass soon (events coalesce into one). */
  trigger(): void;
  stop(): Promise<void>;
}

/** Events within this window make one pass: a delete of 100 pods is one scan, not 100. */
const coalesceMs = 100;

/**
 * Runs the controller's passes one at a time (GC, then auto-pools, then counters): every scanIntervalSeconds, soon after an event, and when the
 * first reservation that waits only for its allocation grace comes of age. A pass plans on the
 * caches (planGc), confirms and frees each zombie on a fresh read (releaseZombiesInBlock), deletes the
 * Endpoints of pods that are gone, reconciles the Subnet auto-pools, and brings the pools'
 * counters up to date. Only the leader acts.
 */
export function startGcLoop(options: GcLoopOptions): GcLoop {
  const { cache, config, isLeader, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };

  const ages = new ReservationAges();
  const events = eventRecorder(options.kc, log);

  async function pass(): Promise<number> {
    const world = cache.world(new Date(), ages.observe(cache.reservations()));
    const plan = planGc(world, config);
    options.metrics.countScan();
    const byBlock = Map.groupBy(plan.releases, (release) => release.reservation.block);
    for (const [block, candidates] of byBlock) {
      if (!isLeader()) return config.scanIntervalSeconds * 1000;
      try {
        await releaseZombiesInBlock(block, candidates, { blocks: options.blocks, cluster: options.cluster, config, seenForMs: world.seenForMs, log, countRelease: options.metrics.countRelease });
      } catch (error) {
        log(`releases in IPBlock ${block} deferred: ${(error as Error).message}`);
      }
    }
    for (const endpoint of plan.staleEndpoints) {
      const pod = await options.cluster.getPod(endpoint.namespace, endpoint.name).catch(() => 'unknown' as const);
      if (pod === 'unknown' || pod?.metadata?.uid === endpoint.spec.podUID) continue;
      if (await options.cluster.deleteEndpoint(endpoint.namespace, endpoint.name, endpoint.resourceVersion).catch(() => false)) {
        log(`deleted Endpoint ${endpoint.namespace}/${endpoint.name} of gone pod UID ${endpoint.spec.podUID}`);
      }
    }
    const after = cache.reservations();
    await options.autoPools.reconcile(after);
    // Overlapping pools (stored past the webhook) are set aside by every agent; said here.
    const pools = cache.pools();
    const conflicts = poolConflicts(pools.map(({ pool }) => pool));
    await sayPoolConflicts(events, pools, conflicts);
    await updatePoolCounters(options.kc, pools, after, conflicts, log);
    await reportReservedHolders(options.kc, cache.reservedIPs(), after, log);
    return nextWakeMs(world);
  }

  /**
   * The next moment a decision can change by time alone: a zombie-but-for-its-age comes of age
   * (counted from when this controller first saw it), or a Terminating pod passes its deletion
   * time plus the margin. Else the scan interval. Both in ms from now.
   */
  function nextWakeMs(world: GcWorld): number {
    const now = world.now.getTime();
    const graceMs = config.allocationGraceSeconds * 1000;
    const ripening = planGc(world, { ...config, allocationGraceSeconds: 0 }).releases.map((r) => graceMs - (world.seenForMs.get(reservationKey(r.reservation)) ?? 0));
    const terminating = world.pods.flatMap((pod) => (pod.deletionTimestamp ? [pod.deletionTimestamp.getTime() + config.terminatingMarginSeconds * 1000 - now] : []));
    const upcoming = [...ripening, ...terminating].filter((inMs) => inMs > 0).map((inMs) => inMs + 50);
    return Math.min(config.scanIntervalSeconds * 1000, ...upcoming);
  }

  function run(): void {
    if (running) {
      again = true;
      return;
    }
    if (!isLeader()) return schedule(config.scanIntervalSeconds * 1000);
    running = pass()
      .then(
        (nextMs) => schedule(again ? coalesceMs : nextMs),
        (error: unknown) => {
          log(`GC pass failed: ${(error as Error).message}`);
          schedule(config.scanIntervalSeconds * 1000);
        },
      )
      .finally(() => {
        running = undefined;
        again = false;
      });
  }

  schedule(0);
  return {
    trigger: () => (running ? void (again = true) : schedule(coalesceMs)),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
