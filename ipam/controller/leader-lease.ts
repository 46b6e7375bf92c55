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
  /** A holder that has not renewed for this long may be replaced. */
  leaseDurationSeconds: number;
  /** How often the holder renews (well below the duration) and a candidate retries. */
  retryPeriodSeconds: number;
  log: (line: string) => void;
  /** Called once if we led and could not renew within the lease duration: stop acting now. */
  onLost: () => void;
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
 * resourceVersion as the compare-and-swap, then renew every retryPeriodSeconds. Two controllers
 * never both act: a leader that cannot renew in time calls onLost (the controller exits), and
 * a standby takes over only after the full duration has passed since the last renewal it saw.
 */
export function startLeaderElection(kc: KubeConfig, options: LeaseOptions): LeaderElection {
  const api = kc.makeApiClient(CoordinationV1Api);
  const requestOptions = timeoutOptions(options.retryPeriodSeconds * 1000);
  const { namespace, name, identity, log } = options;
  let leader = false;
  let lastRenewed = 0;
  let stopped = false;
  const stopping = new AbortController();
  // A leader stops acting a third of the duration before a standby may take over: the margin
  // covers the request latency and the clocks' drift (client-go's renewDeadline).
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
    const renewed = current.spec?.renewTime ? new Date(current.spec.renewTime).getTime() : 0;
    const expired = now.getTime() > renewed + (current.spec?.leaseDurationSeconds ?? options.leaseDurationSeconds) * 1000;
    if (holder && holder !== identity && !expired) return false;
    // The resourceVersion we read makes this a compare-and-swap: a racing candidate gets 409.
    await api.replaceNamespacedLease({ namespace, name, body: { ...current, spec: spec(current, now) } }, requestOptions);
    return true;
  }

  void (async () => {
    while (!stopped) {
      let holds = false;
      try {
        holds = await tryAcquireOrRenew();
      } catch (error) {
        const failure = classifyFailure(error);
        if (!(failure?.kind === 'status' && failure.code === 409)) log(`lease ${namespace}/${name}: ${(error as Error).message}`);
      }
      if (stopped) break;
      const now = Date.now();
      if (holds) {
        lastRenewed = now;
        if (!leader) log(`leading (lease ${namespace}/${name}, identity ${identity})`);
        leader = true;
        markElected();
      } else if (leader && now - lastRenewed > renewDeadlineMs) {
        leader = false;
        log(`lost the lease ${namespace}/${name}`);
        options.onLost();
      }
      await delay(options.retryPeriodSeconds * 1000, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return {
    isLeader: () => leader && Date.now() - lastRenewed <= renewDeadlineMs,
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
