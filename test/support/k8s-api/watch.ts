// Watch streams: newline-delimited JSON events over a chunked 200 response,
// replayed from the store's bounded history, then live. A too-old
// resourceVersion gets what the real server sends: an ERROR event carrying a
// 410 Expired Status, then the stream ends.
import type { ServerResponse } from 'node:http';
import type { KObject } from './meta.ts';
import { apiVersionOf, resourceKey } from './resources.ts';
import type { ResourceType } from './resources.ts';
import type { Predicate } from './selectors.ts';
import { errors } from './status.ts';
import type { ObjectStore, StoreEvent } from './store.ts';

export interface WatchRequest {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  labels: Predicate;
  fields: Predicate;
  timeoutSeconds?: number;
}

interface ActiveWatch {
  req: WatchRequest;
  res: ServerResponse;
  stop: () => void;
}

export class WatchHub {
  readonly #store: ObjectStore;
  readonly #active = new Set<ActiveWatch>();

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  serve(res: ServerResponse, wr: WatchRequest): void {
    const matches = (o: KObject): boolean =>
      (wr.namespace === undefined || o.metadata.namespace === wr.namespace) &&
      (wr.name === undefined || o.metadata.name === wr.name) &&
      wr.labels(o) &&
      wr.fields(o);
    const send = (type: string, object: unknown): void => {
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    // A MODIFIED that moves an object into or out of the selection is seen
    // by this watcher as ADDED or DELETED, as with the real server.
    const deliver = (e: StoreEvent): void => {
      if (e.resource !== resourceKey(wr.resource)) return;
      const now = matches(e.object);
      if (e.type !== 'MODIFIED') {
        if (now) send(e.type, e.object);
        return;
      }
      const before = e.previous !== undefined && matches(e.previous);
      if (now) send(before ? 'MODIFIED' : 'ADDED', e.object);
      else if (before) send('DELETED', e.object);
    };

    let backlog: StoreEvent[] | 'expired' | 'initial';
    const rv = wr.resourceVersion;
    if (rv === null || rv === '' || rv === '0') backlog = 'initial';
    else {
      const n = Number(rv);
      if (!Number.isSafeInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
      backlog = this.#store.eventsSince(n);
    }

    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (backlog === 'expired') {
      send('ERROR', errors.expired(`too old resource version: ${rv} (${this.#store.resourceVersion})`));
      res.end();
      return;
    }
    // No resourceVersion: synthetic ADDED for the current state, then live.
    if (backlog === 'initial') {
      for (const o of this.#store.list(wr.resource)) if (matches(o)) send('ADDED', o);
    } else {
      for (const e of backlog) deliver(e);
    }

    // Backlog and subscription happen in one tick: no event can slip between.
    const unsubscribe = this.#store.subscribe(deliver);
    let timer: NodeJS.Timeout | undefined;
    const w: ActiveWatch = {
      req: wr,
      res,
      stop: () => {
        unsubscribe();
        clearTimeout(timer);
        this.#active.delete(w);
        if (!res.writableEnded) res.end();
      },
    };
    this.#active.add(w);
    if (wr.timeoutSeconds !== undefined && wr.timeoutSeconds > 0) {
      timer = setTimeout(w.stop, wr.timeoutSeconds * 1000);
      timer.unref();
    }
    res.on('close', w.stop);
  }

  // BOOKMARK to every watch that asked for them: the current resourceVersion,
  // so clients can resume from it without replaying.
  bookmarkAll(): number {
    let sent = 0;
    for (const w of this.#active) {
      if (!w.req.allowBookmarks) continue;
      const object = { kind: w.req.resource.kind, apiVersion: apiVersionOf(w.req.resource), metadata: { resourceVersion: this.#store.resourceVersion } };
      w.res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
      sent++;
    }
    return sent;
  }

  // Ends every stream; clients see a normal end of watch.
  closeAll(): void {
    for (const w of [...this.#active]) w.stop();
  }
}
