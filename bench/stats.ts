/** Median and 95th percentile of a sample, in its unit. */
export function summarize(samples: readonly number[]): { median: number; p95: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95), n: sorted.length };
}

/** Milliseconds taken by `run`. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface LatencyRow {
  what: string;
  median: number;
  p95: number;
  n: number;
}

/** Named samples, in the order first recorded. */
export class Samples {
  readonly #byName = new Map<string, number[]>();

  record(what: string, ms: number): void {
    this.#byName.set(what, [...(this.#byName.get(what) ?? []), ms]);
  }

  rows(): LatencyRow[] {
    return [...this.#byName].map(([what, values]) => ({ what, ...summarize(values) }));
  }
}

/** Rounds run first and thrown away: they warm the page cache and V8's compile cache. */
const warmupRounds = 3;

export type RecordSample = (what: string, ms: number) => void;

/** Runs `round` warm-up + `iterations` times (index 0, 1, …); only the latter record into `samples`. */
export async function measureRounds(iterations: number, samples: Samples, round: (index: number, record: RecordSample) => Promise<void>): Promise<void> {
  for (let index = 0; index < warmupRounds + iterations; index++) {
    await round(index, index < warmupRounds ? () => undefined : (what, ms) => samples.record(what, ms));
  }
}
