// The agent's metrics (text format in ../metrics/text-format.ts).
import type { AgentCommand } from '../../netconf/agent-protocol.ts';
import { family, labels, number, seriesLines, type Series } from '../metrics/text-format.ts';

export type AllocationOutcome = 'ok' | 'error';

export interface AgentMetrics {
  /** One allocation, timed end to end. */
  observeAllocation(seconds: number, outcome: AllocationOutcome): void;
  /** An IPBlock compare-and-swap answered 409 and is retried. No block label: it would grow without bound. */
  countConflict(): void;
  /** An IPBlock status write is attempted, conflicting or not. */
  countWrite(): void;
  /** A CNI request is answered: code 0 on success, else its CNI error code. */
  countCniRequest(command: AgentCommand, code: number): void;
  setPoolUsage(pool: string, allocated: number, total: number): void;
  /** Drops a pool's series, e.g. when the pool is deleted, so that it does not linger at its last value. */
  forgetPool(pool: string): void;
  /** The exposition text: families in a fixed order, series sorted by their labels. */
  render(): string;
}

/** Upper bounds in seconds, from a local file write (~1 ms) to an API server under load (~10 s). */
export const allocationBuckets: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  /** Cumulative, as exposed: buckets[i] counts observations <= allocationBuckets[i]. */
  buckets: number[];
  sum: number;
  count: number;
}

export function createAgentMetrics(): AgentMetrics {
  // Both outcomes exist from the start, so that rate() over either sees its first observation.
  const allocations: Record<AllocationOutcome, Histogram> = { error: emptyHistogram(), ok: emptyHistogram() };
  let conflicts = 0;
  let writes = 0;
  const cniRequests: Series = new Map();
  const poolAllocated: Series = new Map();
  const poolTotal: Series = new Map();

  return {
    observeAllocation(seconds, outcome) {
      const histogram = allocations[outcome];
      allocationBuckets.forEach((le, i) => {
        if (seconds <= le) histogram.buckets[i]!++;
      });
      histogram.sum += seconds;
      histogram.count++;
    },
    countConflict: () => void conflicts++,
    countWrite: () => void writes++,
    countCniRequest(command, code) {
      const key = labels([['command', command], ['code', String(code)]]);
      cniRequests.set(key, (cniRequests.get(key) ?? 0) + 1);
    },
    setPoolUsage(pool, allocated, total) {
      poolAllocated.set(labels([['pool', pool]]), allocated);
      poolTotal.set(labels([['pool', pool]]), total);
    },
    forgetPool(pool) {
      poolAllocated.delete(labels([['pool', pool]]));
      poolTotal.delete(labels([['pool', pool]]));
    },
    render: () =>
      [
        family('nicpool_allocation_duration_seconds', 'histogram', 'Time to allocate an IP, by outcome.', (['error', 'ok'] as const).flatMap((outcome) => histogramLines('nicpool_allocation_duration_seconds', outcome, allocations[outcome]))),
        family('nicpool_ipblock_conflicts_total', 'counter', 'IPBlock compare-and-swap conflicts (409) that were retried.', [`nicpool_ipblock_conflicts_total ${number(conflicts)}`]),
        family('nicpool_ipblock_writes_total', 'counter', 'IPBlock status writes attempted.', [`nicpool_ipblock_writes_total ${number(writes)}`]),
        family('nicpool_cni_requests_total', 'counter', 'CNI requests answered, by command and CNI error code (0 is success).', seriesLines('nicpool_cni_requests_total', cniRequests)),
        family('nicpool_pool_allocated_ips', 'gauge', 'IPs allocated in the pool.', seriesLines('nicpool_pool_allocated_ips', poolAllocated)),
        family('nicpool_pool_total_ips', 'gauge', 'IPs the pool can hand out.', seriesLines('nicpool_pool_total_ips', poolTotal)),
      ].join(''),
  };
}

function emptyHistogram(): Histogram {
  return { buckets: allocationBuckets.map(() => 0), sum: 0, count: 0 };
}

function histogramLines(name: string, outcome: AllocationOutcome, { buckets, sum, count }: Histogram): string[] {
  const bucket = (le: string, value: number) => `${name}_bucket${labels([['outcome', outcome], ['le', le]])} ${number(value)}`;
  return [
    ...allocationBuckets.map((le, i) => bucket(number(le), buckets[i]!)),
    // Every observation is at or below +Inf: its bucket is the count.
    bucket('+Inf', count),
    `${name}_sum${labels([['outcome', outcome]])} ${number(sum)}`,
    `${name}_count${labels([['outcome', outcome]])} ${number(count)}`,
  ];
}
