// Object store of the API test double: one map per resource, a global
// monotonically increasing resourceVersion (like etcd's revision), and a
// bounded event history that watches replay from.
import { randomUUID } from 'node:crypto';
import { deepEqual, generateSuffix, specPart, timestamp } from './meta.ts';
import type { KObject } from './meta.ts';
import { apiVersionOf, resourceKey } from './resources.ts';
import type { ResourceRegistry, ResourceType } from './resources.ts';
import { ApiError, errors, failure } from './status.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  resource: string; // resourceKey
  object: KObject;
  // State before a MODIFIED, so filtered watches can turn it into ADDED/DELETED.
  previous?: KObject;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface StoreOptions {
  historyLimit?: number;
  now?: () => Date;
}

const DEFAULT_GRACE_SECONDS = 30;
const nsKey = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export class ObjectStore {
  readonly registry: ResourceRegistry;
  readonly #objects = new Map<string, Map<string, KObject>>();
  readonly #history: StoreEvent[] = [];
  readonly #listeners = new Set<(e: StoreEvent) => void>();
  readonly #historyLimit: number;
  readonly #now: () => Date;
  #rv = 0;
  #compactedRv = 0;

  constructor(registry: ResourceRegistry, options: StoreOptions = {}) {
    this.registry = registry;
    this.#historyLimit = options.historyLimit ?? 1000;
    this.#now = options.now ?? (() => new Date());
    for (const r of registry.all()) this.#objects.set(resourceKey(r), new Map());
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  #map(r: ResourceType): Map<string, KObject> {
    const m = this.#objects.get(resourceKey(r));
    if (m === undefined) throw new Error(`unregistered resource ${resourceKey(r)}`);
    return m;
  }

  #current(r: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.#map(r).get(nsKey(r.namespaced ? ns : undefined, name));
    if (o === undefined) throw errors.notFound(r, name);
    return o;
  }

  get(r: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const o = this.#map(r).get(nsKey(r.namespaced ? ns : undefined, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  // Sorted by namespace/name like etcd keys; clones so callers cannot mutate.
  list(r: ResourceType, ns?: string): KObject[] {
    return [...this.#map(r).entries()]
      .filter(([, o]) => ns === undefined || o.metadata.namespace === ns)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // Events after `rv`, or 'expired' when some of them were already dropped.
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.#compactedRv) return 'expired';
    return this.#history.filter((e) => e.rv > rv);
  }

  // Forget all history: any watch from an older resourceVersion gets 410.
  compactHistory(): void {
    this.#compactedRv = this.#rv;
    this.#history.length = 0;
  }

  #emit(type: EventType, r: ResourceType, object: KObject, previous?: KObject): void {
    const e: StoreEvent = { rv: this.#rv, type, resource: resourceKey(r), object: structuredClone(object) };
    if (previous !== undefined) e.previous = structuredClone(previous);
    this.#history.push(e);
    while (this.#history.length > this.#historyLimit) this.#compactedRv = this.#history.shift()?.rv ?? this.#compactedRv;
    for (const l of [...this.#listeners]) l(e);
  }

  #store(r: ResourceType, obj: KObject, type: EventType, previous?: KObject): KObject {
    obj.metadata.resourceVersion = String(++this.#rv);
    this.#map(r).set(nsKey(obj.metadata.namespace, obj.metadata.name ?? ''), obj);
    this.#emit(type, r, obj, previous);
    return structuredClone(obj);
  }

  #remove(r: ResourceType, cur: KObject): KObject {
    const gone = structuredClone(cur);
    gone.metadata.resourceVersion = String(++this.#rv);
    this.#map(r).delete(nsKey(cur.metadata.namespace, cur.metadata.name ?? ''));
    this.#emit('DELETED', r, gone);
    return structuredClone(gone);
  }

  // Namespaces are "auto-known": using one creates its Namespace object.
  ensureNamespace(ns: string): void {
    const nsType = this.registry.byKey('namespaces');
    if (!this.#map(nsType).has(nsKey(undefined, ns))) {
      this.create(nsType, undefined, { metadata: { name: ns } });
    }
  }

  // keepStatus: seeding from tests may set .status, which the HTTP create
  // path resets for resources with a status subresource.
  create(r: ResourceType, ns: string | undefined, body: KObject, opts: { keepStatus?: boolean } = {}): KObject {
    const obj = structuredClone(body);
    const meta = obj.metadata;
    if (r.namespaced) {
      if (ns === undefined || ns === '') throw errors.badRequest('the namespace of the provided object is empty');
      if (meta.namespace !== undefined && meta.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
      this.ensureNamespace(ns);
    } else delete meta.namespace;
    if ((meta.name ?? '') === '') {
      if ((meta.generateName ?? '') === '') throw errors.invalid(r, '', 'metadata.name: Required value: name or generateName is required');
      do meta.name = `${meta.generateName}${generateSuffix()}`;
      while (this.#map(r).has(nsKey(meta.namespace, meta.name)));
    }
    const name = meta.name ?? '';
    if (this.#map(r).has(nsKey(meta.namespace, name))) throw errors.alreadyExists(r, name);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.#now());
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (r.statusSubresource && opts.keepStatus !== true) {
      if (r.initialStatus === undefined) delete obj['status'];
      else obj['status'] = structuredClone(r.initialStatus);
    }
    return this.#store(r, obj, 'ADDED');
  }

  // PUT (and the tail of PATCH). A stale metadata.resourceVersion is a 409;
  // an absent one is an unconditional update.
  update(r: ResourceType, ns: string | undefined, name: string, body: KObject, subresource?: 'status'): KObject {
    const cur = this.#current(r, ns, name);
    const bodyMeta = body.metadata;
    if (bodyMeta.name !== undefined && bodyMeta.name !== name) {
      throw errors.badRequest(`the name of the object (${bodyMeta.name}) does not match the name on the URL (${name})`);
    }
    if (bodyMeta.resourceVersion !== undefined && bodyMeta.resourceVersion !== '' && bodyMeta.resourceVersion !== cur.metadata.resourceVersion) {
      throw errors.conflict(r, name);
    }
    let next: KObject;
    if (subresource === 'status') {
      next = structuredClone(cur);
      if (body['status'] === undefined) delete next['status'];
      else next['status'] = structuredClone(body['status']);
    } else {
      next = structuredClone(body);
      if (r.statusSubresource) {
        if (cur['status'] === undefined) delete next['status'];
        else next['status'] = structuredClone(cur['status']);
      }
      // System-owned metadata survives whatever the client sent.
      const m: Record<string, unknown> = next.metadata;
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'generateName'] as const) {
        if (cur.metadata[k] === undefined) delete m[k];
        else m[k] = structuredClone(cur.metadata[k]);
      }
      m['name'] = name;
      if (r.namespaced) m['namespace'] = cur.metadata.namespace;
      else delete m['namespace'];
      if (!deepEqual(specPart(next), specPart(cur))) m['generation'] = (cur.metadata.generation ?? 0) + 1;
    }
    next.apiVersion = apiVersionOf(r);
    next.kind = r.kind;
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    // A no-op write does not bump the resourceVersion nor emit an event.
    if (deepEqual(next, cur)) return structuredClone(cur);
    if (this.#finalizersDone(r, next)) return this.#remove(r, next);
    return this.#store(r, next, 'MODIFIED', cur);
  }

  // Terminating object whose finalizers are gone: non-graceful resources go
  // now; pods go once their grace period was finished (set to 0).
  #finalizersDone(r: ResourceType, o: KObject): boolean {
    const m = o.metadata;
    if (m.deletionTimestamp === undefined || (m.finalizers ?? []).length > 0) return false;
    return !r.graceful || m.deletionGracePeriodSeconds === 0;
  }

  // Returns the object and whether it is gone (the HTTP layer sends 200 vs 202).
  delete(r: ResourceType, ns: string | undefined, name: string, opts: DeleteOptions = {}): { object: KObject; deleted: boolean } {
    const cur = this.#current(r, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== cur.metadata.uid) {
      throw new ApiError(failure(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`, { name, kind: r.plural }));
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(failure(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`, { name, kind: r.plural }));
    }
    const grace = this.#graceFor(r, cur, opts.gracePeriodSeconds);
    const hasFinalizers = (cur.metadata.finalizers ?? []).length > 0;
    const terminating = cur.metadata.deletionTimestamp !== undefined;
    if (grace === 0 && !hasFinalizers) return { object: this.#remove(r, cur), deleted: true };
    // A repeated DELETE may only shorten the grace period.
    if (terminating && grace >= (cur.metadata.deletionGracePeriodSeconds ?? 0)) {
      return { object: structuredClone(cur), deleted: false };
    }
    const next = structuredClone(cur);
    next.metadata.deletionTimestamp = timestamp(new Date(this.#now().getTime() + grace * 1000));
    next.metadata.deletionGracePeriodSeconds = grace;
    return { object: this.#store(r, next, 'MODIFIED', cur), deleted: false };
  }

  #graceFor(r: ResourceType, cur: KObject, requested: number | undefined): number {
    if (!r.graceful) return 0;
    const spec = cur['spec'] as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const phase = (cur['status'] as { phase?: string } | undefined)?.phase;
    // Like the real server: unscheduled or finished pods need no kubelet, so go at once.
    if ((spec?.nodeName ?? '') === '' || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, requested ?? spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
  }

  // Plays the kubelet: terminating pods whose grace expired by `now` are
  // removed, or, if finalizers remain, marked grace 0 so the last finalizer
  // removal deletes them. Returns how many objects were removed.
  finishGracefulDeletions(now: Date = this.#now()): number {
    let removed = 0;
    for (const r of this.registry.all().filter((t) => t.graceful)) {
      for (const cur of [...this.#map(r).values()]) {
        const m = cur.metadata;
        if (m.deletionTimestamp === undefined || m.deletionGracePeriodSeconds === 0) continue;
        if (Date.parse(m.deletionTimestamp) > now.getTime()) continue;
        if ((m.finalizers ?? []).length === 0) {
          this.#remove(r, cur);
          removed++;
        } else {
          const next = structuredClone(cur);
          next.metadata.deletionGracePeriodSeconds = 0;
          this.#store(r, next, 'MODIFIED', cur);
        }
      }
    }
    return removed;
  }

  // Removes an object regardless of grace period and finalizers.
  forceDelete(r: ResourceType, ns: string | undefined, name: string): boolean {
    const cur = this.#map(r).get(nsKey(r.namespaced ? ns : undefined, name));
    if (cur === undefined) return false;
    this.#remove(r, cur);
    return true;
  }
}
