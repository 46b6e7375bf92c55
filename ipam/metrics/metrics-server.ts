import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenTcp, type TcpListener } from '../serve/listen-tcp.ts';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port; the one bound is returned. */
  port: number;
  /** Called on every scrape, so that the page is never stale. */
  render: () => string;
  log: (line: string) => void;
}

export type MetricsServer = TcpListener;

/** Prometheus scrapes over TCP, unlike the CNI socket: this listener serves nothing but read-only pages. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port, log } = options;
  return listenTcp(createServer((req, res) => handle(options, req, res)), host, port, 'metrics', log);
}

function handle({ render, log }: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && req.url === '/metrics') {
    let body: string;
    try {
      body = render();
    } catch (error) {
      // A bug in rendering must not take the agent down with it; the scrape fails visibly instead.
      log(`metrics: render failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return reply(res, 500, 'text/plain; charset=utf-8', 'render failed\n');
    }
    return reply(res, 200, 'text/plain; version=0.0.4; charset=utf-8', body);
  }
  if (req.method === 'GET' && req.url === '/healthz') return reply(res, 200, 'text/plain; charset=utf-8', 'ok');
  reply(res, 404, 'text/plain; charset=utf-8', `no ${req.method} ${req.url}; this serves GET /metrics and GET /healthz\n`);
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
