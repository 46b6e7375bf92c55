import { chmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { agentPaths, maxAgentRequestBytes } from '../../netconf/agent-protocol.ts';
import * as z from 'zod/mini';
import { asCniError, CniCode } from '../../netconf/errors.ts';
import { ObjectName } from '../../netconf/names.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { decodeRequest, runVerb, type Decoded } from './dispatch.ts';
import { BodyTooLarge, readJsonBody } from './request-body.ts';
import { prepareSocketPath } from './socket-file.ts';
import type { AgentMetrics } from './metrics.ts';
import type { AgentVerbs } from './verbs.ts';

export interface AgentServerOptions {
  socketPath: string;
  verbs: AgentVerbs;
  log: (line: string) => void;
  /** Counts every request and times every ADD. */
  metrics?: AgentMetrics;
  /** After stop(), how long requests being served keep their connection (default 10 s). */
  drainMs?: number;
}

export interface AgentServer {
  /**
   * Stops accepting and closes at once every connection not being served (idle, or still
   * sending its request: nothing was started for it). Requests being served may answer for
   * `drainMs`; then their connections are closed too. Resolves once every handler has ended
   * (so their writes are done) and the socket is gone. Idempotent.
   */
  stop(): Promise<void>;
}

export const defaultDrainMs = 10_000;

/** Connections, and those whose request is being served (its body read, its verb running). */
interface Tracking {
  sockets: Set<Socket>;
  serving: Map<Socket, number>;
  /** The request a connection is on, until it is answered. */
  current: Map<Socket, IncomingMessage>;
  handlers: Set<Promise<void>>;
  stopping: boolean;
}

const PodName = z.strictObject({ namespace: ObjectName, name: ObjectName });

/** Listens on the unix socket, made root-only (0600) before the first connection is accepted. */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { socketPath, log } = options;
  await prepareSocketPath(socketPath);
  const tracking: Tracking = { sockets: new Set(), serving: new Map(), current: new Map(), handlers: new Set(), stopping: false };
  const server = createServer((req, res) => {
    tracking.current.set(req.socket, req);
    res.once('close', () => tracking.current.get(req.socket) === req && tracking.current.delete(req.socket));
    const handler = handle(options, tracking, req, res);
    tracking.handlers.add(handler);
    void handler.finally(() => tracking.handlers.delete(handler));
  });
  server.on('connection', (socket: Socket) => {
    tracking.sockets.add(socket);
    socket.once('close', () => tracking.sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The listening callback runs before the event loop can accept anything.
    server.listen(socketPath, () => {
      chmodSync(socketPath, 0o600);
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`server error: ${error.message}`));
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= close(server, tracking, options.drainMs ?? defaultDrainMs)),
  };
}

// The socket file goes when the listener closes (libuv unlinks it at once), not when the last
// request is done: a new agent may have bound the path by then, and its socket is not ours.
async function close(server: Server, tracking: Tracking, drainMs: number): Promise<void> {
  tracking.stopping = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A client that sent half a request (or nothing yet, or is idle) would hold close() open
  // for as long as it likes: nothing was started for it, so it goes now.
  // A request whose body is all in is about to be served: it stays.
  for (const socket of tracking.sockets) {
    if (!tracking.serving.has(socket) && tracking.current.get(socket)?.complete !== true) socket.destroy();
  }
  const drained = setTimeout(() => server.closeAllConnections(), drainMs);
  await closed;
  clearTimeout(drained);
  // A verb whose connection was cut at the drain bound still finishes its writes.
  await Promise.allSettled([...tracking.handlers]);
}

/** Marks `socket` as serving a request until the returned function is called. */
function serve(tracking: Tracking, socket: Socket): () => void {
  tracking.serving.set(socket, (tracking.serving.get(socket) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const left = (tracking.serving.get(socket) ?? 1) - 1;
    if (left > 0) tracking.serving.set(socket, left);
    else tracking.serving.delete(socket);
  };
}

async function handle({ verbs, log, metrics }: AgentServerOptions, tracking: Tracking, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  let label = `${req.method} ${req.url}`;
  let failure = '';
  let command: Decoded['command'] | undefined;
  let code = 0;
  // GETs have no body: served from the start. A POST only once its body is in.
  let served = req.method === 'GET' ? serve(tracking, req.socket) : () => undefined;
  // Stopping: answer, then let the connection go (no further request on it).
  res.once('finish', () => tracking.stopping && req.socket.end());
  try {
    if (req.method === 'GET' && req.url === agentPaths.health) return reply(res, 200, { ok: true });
    const url = new URL(req.url ?? '/', 'http://agent');
    if (req.method === 'GET' && url.pathname === agentPaths.podRouting) {
      const pod = parseOrThrow(PodName, Object.fromEntries(url.searchParams), { root: 'query' });
      label = `pod-routing ${pod.namespace}/${pod.name}`;
      return reply(res, 200, await verbs.podRouting(pod));
    }
    if (req.method !== 'POST' || req.url !== agentPaths.cni) {
      failure = `agent: no ${label}; it serves POST ${agentPaths.cni}, GET ${agentPaths.podRouting} and GET ${agentPaths.health}`;
      return reply(res, 404, { code: CniCode.IncompatibleVersion, msg: failure });
    }
    const body = await readJsonBody(req, maxAgentRequestBytes);
    served = serve(tracking, req.socket);
    const decoded = decodeRequest(body);
    label = decoded.label;
    command = decoded.command;
    const done = await runVerb(verbs, decoded);
    if (done.released?.length) label += ` released ${done.released.map((a) => a.ip).join(',')}`;
    reply(res, 200, done.result === undefined ? {} : { result: done.result });
  } catch (thrown) {
    const error = asCniError(thrown);
    if (error.code === CniCode.Internal && thrown instanceof Error) log(thrown.stack ?? thrown.message);
    failure = `error ${error.code}: ${error.message}`;
    code = error.code;
    // After a refused body the rest of it is never read: the connection cannot be reused.
    if (thrown instanceof BodyTooLarge) res.setHeader('connection', 'close');
    reply(res, thrown instanceof BodyTooLarge ? 413 : statusOf(error.code), {
      code: error.code,
      msg: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  } finally {
    served();
    const seconds = (performance.now() - started) / 1000;
    if (command !== undefined) metrics?.countCniRequest(command, code);
    if (command === 'ADD') metrics?.observeAllocation(seconds, code === 0 ? 'ok' : 'error');
    log(`${label} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms${failure === '' ? '' : ` ${failure}`}`);
  }
}

/** The HTTP status says whose fault it is; the CNI code in the body is what the plugin reports. */
function statusOf(code: number): number {
  if (code === CniCode.Internal) return 500;
  if (code === CniCode.TryAgainLater) return 503;
  return 400;
}

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
