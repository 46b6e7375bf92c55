import { chmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
}

export interface AgentServer {
  /** Stops accepting, lets requests in flight finish, removes the socket. Idempotent. */
  stop(): Promise<void>;
}

const PodName = z.strictObject({ namespace: ObjectName, name: ObjectName });

/** Listens on the unix socket, made root-only (0600) before the first connection is accepted. */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { socketPath, log } = options;
  await prepareSocketPath(socketPath);
  const server = createServer((req, res) => void handle(options, req, res));
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
    stop: () => (stopping ??= close(server)),
  };
}

// The socket file goes when the listener closes (libuv unlinks it at once), not when the last
// request is done: a new agent may have bound the path by then, and its socket is not ours.
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // close() waits for connections with a request in flight; idle keep-alive ones go now.
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function handle({ verbs, log, metrics }: AgentServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  let label = `${req.method} ${req.url}`;
  let failure = '';
  let command: Decoded['command'] | undefined;
  let code = 0;
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
    const decoded = decodeRequest(await readJsonBody(req, maxAgentRequestBytes));
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
