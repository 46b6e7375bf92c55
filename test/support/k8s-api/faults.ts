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

// Requests held before they are handled, until the test releases them: a client paused
// between two writes (an agent stalled after its IPBlock write, before its Endpoint write).
export interface Hold {
  // Resolves when the first held request arrives.
  caught: Promise<void>;
  // Lets every held request (and any later one this hold would catch) go on.
  release(): void;
}

interface PendingHold {
  remaining: number;
  filter: FaultFilter;
  released: Promise<void>;
  release: () => void;
  catch: () => void;
}

const WRITE_VERBS: ReadonlySet<Verb> = new Set(['update', 'patch']);

export class Faults {
  // Added before every request is handled (simulated network/API latency).
  latencyMs = 0;
  #conflicts: Pending[] = [];
  #failures: Pending[] = [];
  #holds: PendingHold[] = [];
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

  // The next n requests (matching the filter) wait before they are handled until
  // release(); they are then handled as if just arrived (an update then meets the
  // store as it is by then: a stale resourceVersion is 409).
  holdNext(n: number, filter: FaultFilter = {}): Hold {
    const released = Promise.withResolvers<void>();
    const caught = Promise.withResolvers<void>();
    this.#holds.push({ remaining: n, filter, released: released.promise, release: released.resolve, catch: caught.resolve });
    return { caught: caught.promise, release: released.resolve };
  }

  // Waits while a hold catches this request (called by the handler first).
  async hold(verb: Verb, resource: string): Promise<void> {
    const h = this.#holds.find((x) => x.remaining > 0 && matches(x.filter, verb, resource));
    if (h === undefined) return;
    h.remaining--;
    h.catch();
    await h.released;
  }

  // Stop accepting connections and drop open ones (clients see ECONNREFUSED /
  // a reset); up() listens again on the same port.
  down(): Promise<void> {
    return this.#down();
  }

  up(): Promise<void> {
    return this.#up();
  }

  // Clears every pending fault and the latency, and releases every held request.
  reset(): void {
    this.latencyMs = 0;
    this.#conflicts = [];
    this.#failures = [];
    for (const h of this.#holds) h.release();
    this.#holds = [];
  }

  // Consumes one matching fault, if any.
  takeFault(verb: Verb, resource: string): InjectedFailure | undefined {
    const take = (list: Pending[]): InjectedFailure | undefined => {
      const p = list.find((x) => x.remaining > 0 && matches(x.filter, verb, resource));
      if (p === undefined) return undefined;
      p.remaining--;
      return { code: p.code };
    };
    return take(this.#failures) ?? (WRITE_VERBS.has(verb) ? take(this.#conflicts) : undefined);
  }
}

function matches(filter: FaultFilter, verb: Verb, resource: string): boolean {
  return (filter.resource === undefined || filter.resource === resource) && (filter.verb === undefined || filter.verb === verb);
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
