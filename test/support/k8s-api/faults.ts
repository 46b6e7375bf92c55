// Fault injection and request accounting. The HTTP layer asks `beforeRequest`
// what to do with each request; tests flip the knobs. down()/up() are wired
// by the server (they need its socket).

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface FaultFilter {
  // Only requests for this resource (resourceKey, e.g. 'pods', 'ippools.nicpool.io').
  resource?: string;
  // Only requests of this verb (e.g. 'create': a write that fails after the reads went through).
  verb?: Verb;
}

export interface InjectedFailure {
  code: number;
}

interface Pending {
  remaining: number;
  code: number;
  filter: FaultFilter;
}

const WRITE_VERBS: ReadonlySet<Verb> = new Set(['update', 'patch']);

export class Faults {
  // Added before every request is handled (simulated network/API latency).
  latencyMs = 0;
  #conflicts: Pending[] = [];
  #failures: Pending[] = [];
  #down: () => Promise<void>;
  #up: () => Promise<void>;

  constructor(down: () => Promise<void>, up: () => Promise<void>) {
    this.#down = down;
    this.#up = up;
  }

  // The next n updates/patches (matching the filter) get 409 Conflict: a storm
  // of lost optimistic-concurrency races.
  conflictNextWrites(n: number, filter: FaultFilter = {}): void {
    this.#conflicts.push({ remaining: n, code: 409, filter });
  }

  // The next n requests of any verb (matching the filter) fail with `code`.
  failNext(n: number, code = 500, filter: FaultFilter = {}): void {
    this.#failures.push({ remaining: n, code, filter });
  }

  // Stop accepting connections and drop open ones (clients see ECONNREFUSED /
  // a reset); up() listens again on the same port.
  down(): Promise<void> {
    return this.#down();
  }

  up(): Promise<void> {
    return this.#up();
  }

  // Clears every pending fault and the latency.
  reset(): void {
    this.latencyMs = 0;
    this.#conflicts = [];
    this.#failures = [];
  }

  // Consumes one matching fault, if any.
  takeFault(verb: Verb, resource: string): InjectedFailure | undefined {
    const take = (list: Pending[]): InjectedFailure | undefined => {
      const p = list.find(
        (x) => x.remaining > 0 && (x.filter.resource === undefined || x.filter.resource === resource) && (x.filter.verb === undefined || x.filter.verb === verb),
      );
      if (p === undefined) return undefined;
      p.remaining--;
      return { code: p.code };
    };
    return take(this.#failures) ?? (WRITE_VERBS.has(verb) ? take(this.#conflicts) : undefined);
  }
}

// What the benchmark reports: API requests by verb and resource, and 409s.
export class Metrics {
  readonly requests = new Map<string, number>(); // key: `${verb} ${resource}`
  readonly responses = new Map<number, number>(); // by HTTP status code
  total = 0;

  countRequest(verb: Verb, resource: string): void {
    const k = `${verb} ${resource}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    this.total++;
  }

  countResponse(code: number): void {
    this.responses.set(code, (this.responses.get(code) ?? 0) + 1);
  }

  get conflicts(): number {
    return this.responses.get(409) ?? 0;
  }

  count(verb: Verb, resource: string): number {
    return this.requests.get(`${verb} ${resource}`) ?? 0;
  }

  reset(): void {
    this.requests.clear();
    this.responses.clear();
    this.total = 0;
  }
}
