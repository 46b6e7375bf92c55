// The webhook over real HTTPS: a certificate from openssl, clients that verify it, and
// AdmissionReview bodies as the API server sends them.
import type { ExecutionContext } from 'ava';
import test from '../support/test.ts';
import { X509Certificate } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { AdmissionReviewReply } from '../../netconf/admission.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { generateSelfSignedCertificate, loadCertificate, type CertificateAndKey } from '../../ipam/webhook/certificate.ts';
import type { AdmissionContext } from '../../ipam/webhook/validate.ts';
import { startWebhookServer } from '../../ipam/webhook/webhook-server.ts';
import { withDeadline } from '../support/deadline.ts';

type Json = Record<string, unknown>;

let certificate: CertificateAndKey;
test.before(async () => {
  certificate = await generateSelfSignedCertificate({ dnsNames: ['localhost'] });
});

const specA = { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.10-10.6.0.20'], gateway: '10.6.0.1' };
const specB = { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.15-10.6.0.30'], gateway: '10.6.0.1' };

/** An IPPool as the API server hands it to a webhook: server-set metadata included. */
function storedPool(name: string, spec: Json, metadata: Json = {}): Json {
  return {
    apiVersion: 'nicpool.io/v1',
    kind: 'IPPool',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '41', generation: 1, creationTimestamp: '2026-01-27T10:00:00Z', ...metadata },
    spec,
  };
}

/** The AdmissionReview kube-apiserver POSTs for an IPPool (fields we do not read included). */
function review(operation: string, object: Json | null, oldObject: Json | null = null): Json {
  const name = ((object ?? oldObject)?.metadata as { name: string }).name;
  const kind = { group: 'nicpool.io', version: 'v1', kind: 'IPPool' };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `705ab4f5-6393-11e8-b7cc-42010a800002-${operation}`,
      kind,
      resource: { group: 'nicpool.io', version: 'v1', resource: 'ippools' },
      requestKind: kind,
      requestResource: { group: 'nicpool.io', version: 'v1', resource: 'ippools' },
      name,
      operation,
      userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      object,
      oldObject,
      dryRun: false,
      options: operation === 'DELETE' ? { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' } : { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

interface Running {
  url: string;
  client: Agent;
  log: string[];
}

/** A webhook on 127.0.0.1 with the world given; the client trusts only the generated certificate. */
async function webhook(t: ExecutionContext, world: { pools?: Json[]; allocated?: Record<string, number> } = {}): Promise<Running> {
  const log: string[] = [];
  const context = (): AdmissionContext => ({
    pools: (world.pools ?? []).map((pool) => parseOrThrow(IPPool, pool)),
    allocated: (name) => world.allocated?.[name] ?? 0,
    autoPoolsOf: () => [],
  });
  const server = await startWebhookServer({ host: '127.0.0.1', port: 0, ...certificate, context, log: (line) => log.push(line) });
  // The certificate names localhost; the server listens on 127.0.0.1 only (localhost may be ::1).
  const client = new Agent({ connect: { ca: certificate.cert, servername: 'localhost' } });
  t.teardown(async () => {
    await client.close();
    await server.stop();
  });
  return { url: `https://127.0.0.1:${server.port}`, client, log };
}

async function post(running: Running, body: string, path = '/validate'): Promise<{ status: number; text: string }> {
  const response = await fetch(`${running.url}${path}`, {
    method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: running.client,
  });
  return { status: response.status, text: await response.text() };
}

async function admit(running: Running, body: Json): Promise<AdmissionReviewReply> {
  // The API server appends the timeout it grants to the path.
  const { status, text } = await post(running, JSON.stringify(body), '/validate?timeout=10s');
  if (status !== 200) throw new Error(`status ${status}: ${text}`);
  return parseOrThrow(AdmissionReviewReply, JSON.parse(text));
}

const uid = (body: Json) => (body.request as { uid: string }).uid;

test('W-20 GET /healthz answers over TLS verified with the generated certificate, which names localhost', async (t) => {
  const running = await webhook(t);
  const response = await fetch(`${running.url}/healthz`, { dispatcher: running.client });
  t.is(response.status, 200);
  t.is(await response.text(), 'ok');
  const x509 = new X509Certificate(certificate.cert);
  t.is(x509.subjectAltName, 'DNS:localhost');
  t.true(x509.ca, 'self-signed: its own CA, so caBundle is the certificate itself');
  // A client that does not trust it cannot talk to it.
  const untrusting = new Agent({ connect: { servername: 'localhost' } });
  t.teardown(() => untrusting.close());
  await t.throwsAsync(fetch(`${running.url}/healthz`, { dispatcher: untrusting }), { message: 'fetch failed' });
});

test('W-21 a valid pool is allowed: the response echoes the uid, has no status, and the decision is logged', async (t) => {
  const running = await webhook(t, { pools: [storedPool('b', { ...specB, ips: ['10.6.0.30-10.6.0.40'] })] });
  const body = review('CREATE', storedPool('a', specA));
  t.deepEqual(await admit(running, body), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: uid(body), allowed: true } });
  t.deepEqual(running.log, ['admission: CREATE IPPool a: allowed']);
});

test('W-22 a pool overlapping another is refused with status 403 and the message naming both', async (t) => {
  const running = await webhook(t, { pools: [storedPool('a', specA)] });
  const body = review('CREATE', storedPool('b', specB));
  const message = 'pools: "a" and "b" overlap at 10.6.0.15-10.6.0.20';
  t.deepEqual((await admit(running, body)).response, { uid: uid(body), allowed: false, status: { code: 403, message } });
  t.deepEqual(running.log, [`admission: CREATE IPPool b: refused: ${message}`]);
});

test('W-23 deleting a pool in use is refused naming the count', async (t) => {
  const running = await webhook(t, { allocated: { a: 3 } });
  const body = review('DELETE', null, storedPool('a', specA));
  t.deepEqual((await admit(running, body)).response, {
    uid: uid(body), allowed: false, status: { code: 403, message: 'cannot delete pool "a" while 3 of its IPs are allocated' },
  });
});

test('W-24 removing the finalizer of a pool that is invalid now is allowed', async (t) => {
  // Pool a was stored before b and overlaps it: judged again, it would be refused.
  const running = await webhook(t, { pools: [storedPool('b', specB)], allocated: { a: 2 } });
  const held = storedPool('a', specA, { finalizers: ['nicpool.io/in-use'] });
  const released = storedPool('a', specA, { finalizers: [], resourceVersion: '42' });
  const removal = review('UPDATE', released, held);
  t.deepEqual((await admit(running, removal)).response, { uid: uid(removal), allowed: true });
  const deleting = { deletionTimestamp: '2026-01-27T11:00:00Z' };
  const body = review('UPDATE', storedPool('a', specA, { ...deleting, finalizers: [] }), storedPool('a', specA, { ...deleting, finalizers: ['nicpool.io/in-use'] }));
  t.like((await admit(running, body)).response, { uid: uid(body), allowed: true });
  // The same object with a spec change is judged, and refused.
  t.like((await admit(running, review('UPDATE', released, storedPool('a', { ...specA, vlan: 7 }, { finalizers: ['nicpool.io/in-use'] })))).response, {
    allowed: false, status: { code: 403, message: 'pools: "a" and "b" overlap at 10.6.0.15-10.6.0.20' },
  });
  t.deepEqual(running.log, [
    'admission: UPDATE IPPool a: allowed',
    'admission: UPDATE IPPool a: allowed',
    'admission: UPDATE IPPool a: refused: pools: "a" and "b" overlap at 10.6.0.15-10.6.0.20',
  ]);
});

test('W-25 a body that is not an AdmissionReview is 400 naming what is wrong; unknown paths are 404', async (t) => {
  const running = await webhook(t);
  t.deepEqual(await post(running, '{"apiVersion":'), { status: 400, text: 'request: body is not valid JSON (Unexpected end of JSON input)\n' });
  t.deepEqual(await post(running, JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} })), {
    status: 400,
    text: 'apiVersion: invalid input: expected "admission.k8s.io/v1", got "admission.k8s.io/v1beta1"; request.uid: missing, invalid input: expected string, received undefined; ' +
      'request.operation: missing, invalid option: expected one of "CREATE"|"UPDATE"|"DELETE"|"CONNECT"; request.kind: missing, invalid input: expected object, received undefined\n',
  });
  const noUid = review('CREATE', storedPool('a', specA));
  (noUid.request as Json).uid = '';
  t.deepEqual(await post(running, JSON.stringify(noUid)), { status: 400, text: 'request.uid: "" must not be empty\n' });
  t.is((await post(running, '{}', '/mutate')).status, 404);
  t.deepEqual(running.log, []);
});

test('W-26 a body declared over 1 MiB is 413 before it is read', async (t) => {
  const running = await webhook(t);
  const answered = new Promise<number>((resolve, reject) => {
    const req = httpsRequest(`${running.url}/validate`, {
      method: 'POST', ca: certificate.cert, servername: 'localhost',
      headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) },
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write('{');
  });
  t.is(await withDeadline(answered, { what: 'the webhook to answer a request it has not read' }), 413);
});

test('W-27 loadCertificate reads a certificate and its key, and refuses a key of another certificate', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nicpool-webhook-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const other = await generateSelfSignedCertificate({ dnsNames: ['nicpool-webhook.nicpool-system.svc', 'nicpool-webhook.nicpool-system.svc.cluster.local'], days: 30 });
  t.is(new X509Certificate(other.cert).subjectAltName, 'DNS:nicpool-webhook.nicpool-system.svc, DNS:nicpool-webhook.nicpool-system.svc.cluster.local');
  const paths = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), otherKey: join(dir, 'other.key') };
  await writeFile(paths.cert, certificate.cert);
  await writeFile(paths.key, certificate.key);
  await writeFile(paths.otherKey, other.key);
  t.deepEqual(await loadCertificate(paths.cert, paths.key), certificate);
  await t.throwsAsync(loadCertificate(paths.cert, paths.otherKey), { message: `certificate: the key ${paths.otherKey} does not belong to the certificate ${paths.cert}` });
  await t.throwsAsync(generateSelfSignedCertificate({ dnsNames: ['bad name\n[ext]'] }), { message: 'certificate: dnsNames: "bad name\\n[ext]" is not a DNS name' });
});
