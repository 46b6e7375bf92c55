// startTestApiServer: a Kubernetes API server TEST DOUBLE on 127.0.0.1 that
// the real @kubernetes/client-node talks to over HTTP. Implements the subset
// nicpool uses; see README.md in this folder for what is left out.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { KubeConfig } from '@kubernetes/client-node';
import { Faults, Metrics } from './faults.ts';
import { handle } from './handler.ts';
import { ObjectsView } from './objects.ts';
import { RESOURCES, ResourceRegistry } from './resources.ts';
import type { ResourceType } from './resources.ts';
import { ObjectStore } from './store.ts';
import { WatchHub } from './watch.ts';

export interface TestApiServerOptions {
  // Watch events kept for resuming; older resourceVersions get 410 Gone.
  historyLimit?: number;
  // Clock for creation/deletion timestamps.
  now?: () => Date;
  // Served resources (default: RESOURCES).
  resources?: readonly ResourceType[];
}

export interface TestApiServer {
  readonly url: string;
  kubeConfig(): KubeConfig;
  readonly faults: Faults;
  readonly metrics: Metrics;
  readonly objects: ObjectsView;
  readonly store: ObjectStore;
  // Current global resourceVersion.
  resourceVersion(): string;
  // BOOKMARK to every watch opened with allowWatchBookmarks=true; returns how many.
  bookmarkAll(): number;
  // Drop the watch history: resuming from any earlier resourceVersion is 410.
  compactHistory(): void;
  // Plays the kubelet for pods whose grace period ended by `now`.
  finishGracefulDeletions(now?: Date): number;
  activeWatches(): number;
  // End every watch stream cleanly (as an API server restart or watch
  // timeout does); clients resume from their last resourceVersion.
  closeWatches(): void;
  close(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export async function startTestApiServer(options: TestApiServerOptions = {}): Promise<TestApiServer> {
  const registry = new ResourceRegistry(options.resources ?? RESOURCES);
  const store = new ObjectStore(registry, {
    ...(options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  for (const ns of ['default', 'kube-system']) store.ensureNamespace(ns);
  const hub = new WatchHub(store);
  const metrics = new Metrics();
  const sockets = new Set<Socket>();
  let listening = false;
  let closed = false;

  // Stop listening and cut every connection, so the client sees refused
  // connections and broken watches rather than slow answers.
  const goDown = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = once(server, 'close');
    server.close();
    // Destroy rather than end: open watches must break with an error, as
    // with a crashed API server (res 'close' then unsubscribes them).
    for (const s of sockets) s.destroy();
    await closed;
  };

  const faults = new Faults(goDown, async () => {
    if (listening || closed) return;
    await listen(server, port);
    listening = true;
  });
  const ctx = { registry, store, hub, faults, metrics };
  const server = createServer((req, res) => void handle(ctx, req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, 0);
  listening = true;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    kubeConfig() {
      const kc = new KubeConfig();
      // client-node 2.x refuses a plain http:// server unless skipTLSVerify
      // is true ("HTTP protocol is not allowed when skipTLSVerify is not set").
      kc.loadFromOptions({
        clusters: [{ name: 'test-double', server: url, skipTLSVerify: true }],
        users: [{ name: 'test-double' }],
        contexts: [{ name: 'test-double', cluster: 'test-double', user: 'test-double' }],
        currentContext: 'test-double',
      });
      return kc;
    },
    faults,
    metrics,
    objects: new ObjectsView(store),
    store,
    resourceVersion: () => store.resourceVersion,
    bookmarkAll: () => hub.bookmarkAll(),
    compactHistory: () => store.compactHistory(),
    finishGracefulDeletions: (now) => store.finishGracefulDeletions(now),
    activeWatches: () => hub.activeCount,
    closeWatches: () => hub.closeAll(),
    close: async () => {
      closed = true;
      await goDown();
    },
  };
}
