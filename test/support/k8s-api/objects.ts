// Direct, by-name access to the double's store for seeding and assertions,
// bypassing HTTP (and therefore faults and request counters).
import type { KObject } from './meta.ts';
import type { ObjectStore } from './store.ts';

export class ObjectsView {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  // resource: 'pods', 'deployments.apps', 'ippools.nicpool.io', ...
  get(resource: string, name: string, namespace?: string): KObject | undefined {
    return this.#store.get(this.#store.registry.byKey(resource), namespace, name);
  }

  list(resource: string, namespace?: string): KObject[] {
    return this.#store.list(this.#store.registry.byKey(resource), namespace);
  }

  // Creates as a client would, but keeps .status (e.g. a Running pod).
  // Accepts client-node model objects (V1Pod...): a JSON round trip turns
  // their Date fields into the strings the store holds.
  seed(resource: string, obj: object): KObject {
    const o: unknown = JSON.parse(JSON.stringify(obj));
    if (!isKObject(o)) throw new Error('seed: object needs a metadata object');
    return this.#store.create(this.#store.registry.byKey(resource), o.metadata.namespace, o, { keepStatus: true });
  }

  forceDelete(resource: string, name: string, namespace?: string): boolean {
    return this.#store.forceDelete(this.#store.registry.byKey(resource), namespace, name);
  }
}

function isKObject(o: unknown): o is KObject {
  if (o === null || typeof o !== 'object' || !('metadata' in o)) return false;
  const m = o.metadata;
  return m !== null && typeof m === 'object' && !Array.isArray(m);
}
