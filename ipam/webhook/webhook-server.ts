import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { AdmissionReview, type AdmissionReviewReply } from '../../netconf/admission.ts';
import { CniError } from '../../netconf/errors.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { BodyTooLarge, readJsonBody } from '../agent/request-body.ts';
import { listenTcp, type TcpListener } from '../serve/listen-tcp.ts';
import { reviewAdmission, type AdmissionContext, type AdmissionVerdict } from './validate.ts';

export interface WebhookServerOptions {
  host: string;
  /** 0 picks a free port; the one bound is returned. */
  port: number;
  /** PEM certificate and key served to the API server, which checks them against the webhook's caBundle. */
  cert: string;
  key: string;
  /** Called per request, so that every verdict sees the caches as they are now. */
  context: () => AdmissionContext;
  log: (line: string) => void;
}

export type WebhookServer = TcpListener;

/** The API server's own limit on an object is ~1.5 MiB of etcd; our pools and Subnets are tiny. */
const maxReviewBytes = 1024 * 1024;

/** The validating admission webhook of nicpool-controller: POST /validate, GET /healthz. */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { host, port, cert, key, log } = options;
  const server = createServer({ cert, key }, (req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      // A body cut off mid-way, or a bug: logged, and the connection is not left hanging.
      log(`webhook: ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (res.headersSent) res.destroy();
      else reply(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
    });
  });
  return listenTcp(server, host, port, 'webhook', log);
}

async function handle(options: WebhookServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The API server appends ?timeout=10s: route on the path alone.
  const path = new URL(req.url ?? '/', 'https://webhook').pathname;
  if (req.method === 'GET' && path === '/healthz') return reply(res, 200, 'text/plain; charset=utf-8', 'ok');
  if (req.method !== 'POST' || path !== '/validate') {
    return reply(res, 404, 'text/plain; charset=utf-8', `no ${req.method} ${path}; this serves POST /validate and GET /healthz\n`);
  }
  let review: AdmissionReview;
  try {
    review = parseOrThrow(AdmissionReview, await readJsonBody(req, maxReviewBytes));
  } catch (error) {
    if (!(error instanceof CniError)) throw error;
    // The rest of a refused body is never read: the connection cannot be reused.
    if (error instanceof BodyTooLarge) res.setHeader('connection', 'close');
    return reply(res, error instanceof BodyTooLarge ? 413 : 400, 'text/plain; charset=utf-8', `${error.message}\n`);
  }
  const { request } = review;
  // A review that throws is a bug: handle's caller answers 500 and the API server's failurePolicy
  // (Fail) refuses the request.
  const verdict: AdmissionVerdict = reviewAdmission(request, options.context());
  options.log(`admission: ${request.operation} ${request.kind.kind} ${request.name}: ${verdict.allowed ? 'allowed' : `refused: ${verdict.message}`}`);
  const answer: AdmissionReviewReply = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: verdict.allowed
      ? { uid: request.uid, allowed: true }
      : { uid: request.uid, allowed: false, status: { code: 403, message: verdict.message } },
  };
  reply(res, 200, 'application/json', JSON.stringify(answer));
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
