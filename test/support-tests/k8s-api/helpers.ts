// Shared setup for the API test double's own tests: a server per test (closed
// in teardown), typed clients, and promise-based watch/error helpers so tests
// wait for events instead of sleeping.
import type { ExecutionContext } from 'ava';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { withDeadline } from '../../support/deadline.ts';
import { startTestApiServer } from '../../support/k8s-api/index.ts';
import type { TestApiServer, TestApiServerOptions } from '../../support/k8s-api/index.ts';

export interface Fixture {
  api: TestApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
}

export async function setup(t: ExecutionContext, options?: TestApiServerOptions): Promise<Fixture> {
  const api = await startTestApiServer(options);
  t.teardown(() => api.close());
  const kc = api.kubeConfig();
  return { api, kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

export const POOLS = { group: 'nicpool.io', version: 'v1', plural: 'ippools' } as const;

// CustomObjectsApi returns untyped JSON; read what the tests look at.
export const objectSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z
      .object({
        name: z.string(),
        namespace: z.string().optional(),
        uid: z.string(),
        resourceVersion: z.string(),
        generation: z.number().optional(),
        creationTimestamp: z.string(),
        deletionTimestamp: z.string().optional(),
        finalizers: z.array(z.string()).optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .loose(),
    spec: z.record(z.string(), z.unknown()).optional(),
    status: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type Obj = z.infer<typeof objectSchema>;
export const asObj = (x: unknown): Obj => objectSchema.parse(x);
export const listSchema = z.object({ metadata: z.object({ resourceVersion: z.string() }).loose(), items: z.array(objectSchema) }).loose();

export const statusSchema = z
  .object({
    kind: z.literal('Status'),
    apiVersion: z.literal('v1'),
    status: z.literal('Failure'),
    reason: z.string(),
    code: z.number(),
    message: z.string(),
    details: z.object({ name: z.string().optional(), kind: z.string().optional(), group: z.string().optional() }).optional(),
  })
  .loose();
export type ApiStatus = z.infer<typeof statusSchema>;

// client-node 2.x rejects with ApiException whose .body is the raw response
// text (a JSON string), not a parsed object.
const apiExceptionSchema = z.object({ code: z.number(), body: z.string() });

export async function apiFailure(p: Promise<unknown>): Promise<ApiStatus> {
  try {
    await p;
  } catch (err) {
    const e = apiExceptionSchema.parse(err);
    const s = statusSchema.parse(JSON.parse(e.body));
    if (s.code !== e.code) throw new Error(`HTTP ${e.code} but Status.code ${s.code}`);
    return s;
  }
  throw new Error('expected the API call to fail');
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

export interface WatchStream {
  events: WatchEvent[];
  // Resolves once at least n events arrived (rejects if the watch ends first).
  take(n: number): Promise<WatchEvent[]>;
  // Resolves with the error (or null) passed to client-node's done callback; rejects at the wait deadline.
  ended(): Promise<unknown>;
  abort(): void;
}

export async function watch(kc: KubeConfig, path: string, query: Record<string, string>): Promise<WatchStream> {
  const events: WatchEvent[] = [];
  let wake = (): void => {};
  let finished = false;
  let resolveEnded: (e: unknown) => void = () => {};
  const ended = new Promise<unknown>((r) => (resolveEnded = r));
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type: string, object: Record<string, unknown>) => {
      events.push({ type, object });
      wake();
    },
    (err: unknown) => {
      finished = true;
      resolveEnded(err);
      wake();
    },
  );
  const take = async (n: number): Promise<WatchEvent[]> => {
    while (events.length < n) {
      if (finished) throw new Error(`watch ended after ${events.length} of ${n} events`);
      await withDeadline(new Promise<void>((r) => (wake = r)), { what: `watch event ${events.length + 1} of ${n} on ${path}`, lastSeen: () => events.map((e) => e.type) });
    }
    return events.slice(0, n);
  };
  return { events, take, ended: () => withDeadline(ended, { what: `the watch on ${path} to end`, lastSeen: () => events.map((e) => e.type) }), abort: () => controller.abort() };
}

export const rvOf = (o: { metadata?: { resourceVersion?: string } }): string => o.metadata?.resourceVersion ?? '';
