// HTTP request → store operation. Decodes the verb the way the API server's
// request-info resolver does, applies faults, and writes JSON or a Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { discovery } from './discovery.ts';
import type { Faults, Metrics, Verb } from './faults.ts';
import type { KObject } from './meta.ts';
import { jsonPatch, mergePatch } from './patch.ts';
import { apiVersionOf, resourceKey } from './resources.ts';
import type { ResourceRegistry } from './resources.ts';
import { parseRoute } from './routes.ts';
import type { Route } from './routes.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError, errors, failure } from './status.ts';
import type { DeleteOptions, ObjectStore } from './store.ts';
import type { WatchHub } from './watch.ts';

export interface HandlerContext {
  registry: ResourceRegistry;
  store: ObjectStore;
  hub: WatchHub;
  faults: Faults;
  metrics: Metrics;
}

const metaSchema = z
  .object({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    finalizers: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .loose();
const objectSchema = z.object({ metadata: metaSchema.default({}) }).loose();
const deleteOptionsSchema = z
  .object({
    gracePeriodSeconds: z.number().int().optional(),
    preconditions: z.object({ uid: z.string().optional(), resourceVersion: z.string().optional() }).optional(),
  })
  .loose();

const REASONS: Record<number, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function verbOf(method: string | undefined, route: Route, query: URLSearchParams): Verb {
  const watch = route.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
      if (watch) return 'watch';
      return route.name === undefined ? 'list' : 'get';
    case 'POST':
      if (route.name === undefined) return 'create';
      break;
    case 'PUT':
      if (route.name !== undefined) return 'update';
      break;
    case 'PATCH':
      if (route.name !== undefined) return 'patch';
      break;
    case 'DELETE':
      if (route.name !== undefined) return 'delete';
      break;
  }
  throw errors.methodNotAllowed(method ?? '');
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest('the request body is not valid JSON');
  }
}

function asObject(body: unknown): KObject {
  const r = objectSchema.safeParse(body);
  if (!r.success) throw errors.badRequest(`invalid object: ${r.error.message}`);
  return r.data as KObject;
}

function send(ctx: HandlerContext, res: ServerResponse, code: number, body: unknown): void {
  ctx.metrics.countResponse(code);
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const doc = req.method === 'GET' ? discovery(ctx.registry, url.pathname) : undefined;
    if (doc !== undefined) {
      ctx.metrics.countRequest('get', 'discovery');
      return send(ctx, res, 200, doc);
    }
    const route = parseRoute(ctx.registry, url.pathname);
    const q = url.searchParams;
    const verb = verbOf(req.method, route, q);
    const r = route.resource;
    ctx.metrics.countRequest(verb, resourceKey(r));
    await ctx.faults.hold(verb, resourceKey(r));
    if (ctx.faults.latencyMs > 0) await delay(ctx.faults.latencyMs);
    const fault = ctx.faults.takeFault(verb, resourceKey(r));
    if (fault !== undefined) {
      throw fault.code === 409
        ? errors.conflict(r, route.name ?? '')
        : new ApiError(failure(fault.code, REASONS[fault.code] ?? 'InternalError', `injected fault (${fault.code})`));
    }
    const ns = route.namespace;
    const name = route.name ?? '';
    switch (verb) {
      case 'get': {
        const o = ctx.store.get(r, ns, name);
        if (o === undefined) throw errors.notFound(r, name);
        return send(ctx, res, 200, o);
      }
      case 'list': {
        const labels = parseLabelSelector(q.get('labelSelector'));
        const fields = parseFieldSelector(q.get('fieldSelector'), r.fields);
        // resourceVersion and limit are accepted and ignored: always the
        // latest state, in one page (no continue token), which is valid.
        const rv = ctx.store.resourceVersion;
        const items = ctx.store.list(r, ns).filter((o) => labels(o) && fields(o));
        return send(ctx, res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion: rv }, items });
      }
      case 'watch': {
        const timeout = Number(q.get('timeoutSeconds') ?? '');
        ctx.hub.serve(res, {
          resource: r,
          ...(ns === undefined ? {} : { namespace: ns }),
          ...(route.name === undefined ? {} : { name }),
          resourceVersion: q.get('resourceVersion'),
          allowBookmarks: q.get('allowWatchBookmarks') === 'true',
          labels: parseLabelSelector(q.get('labelSelector')),
          fields: parseFieldSelector(q.get('fieldSelector'), r.fields),
          ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutSeconds: timeout } : {}),
        });
        ctx.metrics.countResponse(200);
        return;
      }
      case 'create':
        return send(ctx, res, 201, ctx.store.create(r, ns, asObject(await readBody(req))));
      case 'update':
        return send(ctx, res, 200, ctx.store.update(r, ns, name, asObject(await readBody(req)), route.subresource));
      case 'patch': {
        const patch = await readBody(req);
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        const cur = ctx.store.get(r, ns, name);
        if (cur === undefined) throw errors.notFound(r, name);
        let patched: unknown;
        if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') patched = mergePatch(cur, patch);
        else if (type === 'application/json-patch+json') patched = jsonPatch(cur, patch);
        else throw errors.unsupportedMediaType(type);
        // The patched object carries the current resourceVersion unless the
        // patch set one, so only a stale one in the patch is a conflict.
        return send(ctx, res, 200, ctx.store.update(r, ns, name, asObject(patched), route.subresource));
      }
      case 'delete': {
        const body = deleteOptionsSchema.safeParse((await readBody(req)) ?? {});
        if (!body.success) throw errors.badRequest(`invalid DeleteOptions: ${body.error.message}`);
        const opts: DeleteOptions = {};
        const qGrace = q.get('gracePeriodSeconds');
        const grace = qGrace !== null ? Number(qGrace) : body.data.gracePeriodSeconds;
        if (grace !== undefined && Number.isFinite(grace)) opts.gracePeriodSeconds = grace;
        if (body.data.preconditions !== undefined) opts.preconditions = body.data.preconditions;
        const { object, deleted } = ctx.store.delete(r, ns, name, opts);
        return send(ctx, res, deleted ? 200 : 202, object);
      }
    }
  } catch (err) {
    const status = err instanceof ApiError ? err.status : failure(500, 'InternalError', `Internal error occurred: ${String(err)}`);
    send(ctx, res, status.code, status);
  }
}
