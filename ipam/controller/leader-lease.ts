import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { classifyFailure } from '../store/kubernetes/api-errors.ts';
import { timeoutOptions } from '../store/kubernetes/request-timeout.ts';

export interface LeaseOptions {
  namespace: string;
  name: string;
  /** Who we are (the pod name): written into the Lease's holderIdentity. */
  identity: string;
  /** A holder whose Lease this process has not seen change for this long may be replaced. */
  leaseDurationSeconds: number;
  /** How often the holder renews (well below the duration) and a candidate retries. */
  retryPeriodSeconds: number;
  log: (line: string) => void;
  /** Called once if we led and could not renew within the lease duration: stop acting now. */
  onLost: () => void;
  /** Monotonic milliseconds (default performance.now); tests pass their own. */
  clock?: () => number;
}

export interface LeaderElection {
  isLeader(): boolean;
  /** Resolves when this process first becomes the leader. */
  readonly elected: Promise<void>;
  /** Stops renewing and gives the Lease up (holder cleared), so a standby takes over at once. */
  stop(): Promise<void>;
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: create the Lease or
 * take it over once its holder has not renewed for leaseDurationSeconds, with the Lease's
 * resourceVersion as the compare-and-swap, then renew every retryPeriodSeconds. "Not renewed"
 * is judged on this process's own monotonic clock: the time since it last saw the record change
 * (holder, renewTime or resourceVersion), never the holder's renewTime against our clock (two
 * machines' clocks; renewTime is written for people to read). Two controllers never both act: a
 * leader stops acting renewDeadline after the start of its last successful renewal and calls
 * onLost (the controller exits), and a standby takes over only after the full duration has
 * passed since it saw that renewal, which it cannot have seen before the renewal started.
 */
export function startLeaderElection(kc: KubeConfig, options: LeaseOptions): LeaderElection {
  const api = kc.makeApiClient(CoordinationV1Api);
  const requestOptions = timeoutOptions(options.retryPeriodSeconds * 1000);
  const { namespace, name, identity, log } = options;
  const clock = options.clock ?? (() => performance.now());
  let leader = false;
  /** When the round of our last successful renewal started (our clock). */
  let lastRenewed = 0;
  /** The Lease record as we last saw it, and when we first saw it so (our clock). */
  let observed: { record: string; at: number } | undefined;
  let stopped = false;
  const stopping = new AbortController();
  // A leader stops acting a third of the duration before a standby may take over: the margin
  // covers the two processes' clock rates (client-go's renewDeadline).
  const renewDeadlineMs = (options.leaseDurationSeconds * 1000 * 2) / 3;
  let markElected: () => void = () => undefined;
  const elected = new Promise<void>((resolve) => (markElected = resolve));

  const spec = (current: V1Lease | undefined, now: Date) => ({
    holderIdentity: identity,
    leaseDurationSeconds: options.leaseDurationSeconds,
    acquireTime: current?.spec?.holderIdentity === identity ? current.spec.acquireTime : new V1MicroTime(now.getTime()),
    renewTime: new V1MicroTime(now.getTime()),
    leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (current?.spec?.holderIdentity === identity ? 0 : 1),
  });

  /** One round: true when we hold the Lease after it. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let current: V1Lease | undefined;
    try {
      current = await api.readNamespacedLease({ namespace, name }, requestOptions);
    } catch (error) {
      const failure = classifyFailure(error);
      if (!(failure?.kind === 'status' && failure.code === 404)) throw error;
    }
    if (current === undefined) {
      await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: spec(undefined, now) } }, requestOptions);
      return true;
    }
    const holder = current.spec?.holderIdentity;
    const record = JSON.stringify([holder, current.spec?.renewTime, current.metadata?.resourceVersion]);
    if (observed?.record !== record) observed = { record, at: clock() };
    const expired = clock() - observed.at > (current.spec?.leaseDurationSeconds ?? options.leaseDurationSeconds) * 1000;
    if (holder && holder !== identity && !expired) return false;
    // The resourceVersion we read makes this a compare-and-swap: a racing candidate gets 409.
    await api.replaceNamespacedLease({ namespace, name, body: { ...current, spec: spec(current, now) } }, requestOptions);
    return true;
  }

  void (async () => {
    while (!stopped) {
      let holds = false;
      const roundStarted = clock();
      try {
        holds = await tryAcquireOrRenew();
      } catch (error) {
        const failure = classifyFailure(error);
        if (!(failure?.kind === 'status' && failure.code === 409)) log(`lease ${namespace}/${name}: ${(error as Error).message}`);
      }
      if (stopped) break;
      if (holds) {
        lastRenewed = roundStarted;
        if (!leader) log(`leading (lease ${namespace}/${name}, identity ${identity})`);
        leader = true;
        markElected();
      } else if (leader && clock() - lastRenewed > renewDeadlineMs) {
        leader = false;
        log(`lost the lease ${namespace}/${name}`);
        options.onLost();
      }
      await delay(options.retryPeriodSeconds * 1000, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return {
    isLeader: () => leader && clock() - lastRenewed <= renewDeadlineMs,
    elected,
    async stop() {
      stopped = true;
      stopping.abort();
      if (!leader) return;
      leader = false;
      try {
        const current = await api.readNamespacedLease({ namespace, name }, requestOptions);
        if (current.spec?.holderIdentity === identity) {
          await api.replaceNamespacedLease({ namespace, name, body: { ...current, spec: { ...current.spec, holderIdentity: '', renewTime: undefined } } }, requestOptions);
        }
      } catch (error) {
        log(`lease ${namespace}/${name}: giving it up failed (${(error as Error).message}); it expires on its own`);
      }
    },
  };
}
