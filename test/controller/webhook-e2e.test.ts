// The admission webhook served by a real nicpool-controller process, judging against the
// cluster it watches (the HTTP test API server, a test double) and a real agent's allocations.
import test from '../support/test.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { generateSelfSignedCertificate } from '../../ipam/webhook/certificate.ts';
import { pool, simCluster } from '../support/k8s-cluster.ts';

const specZ = { ipVersion: 4, subnet: '10.85.0.0/24', ips: ['10.85.0.10-10.85.0.20'] };

function review(operation: string, object: { metadata: { name: string } } | null, oldObject: { metadata: { name: string } } | null = null): object {
  const name = (object ?? oldObject)?.metadata.name ?? '';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: `uid-${operation}`, operation, kind: { group: 'nicpool.io', version: 'v1', kind: 'IPPool' }, name, object, oldObject },
  };
}

test('W-30 the controller serves the webhook over TLS: an overlapping pool and deleting a pool in use are refused; once freed, the delete is allowed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'np-webhook-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { cert, key } = await generateSelfSignedCertificate({ dnsNames: ['localhost'] });
  await writeFile(join(dir, 'tls.crt'), cert);
  await writeFile(join(dir, 'tls.key'), key, { mode: 0o600 });

  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('z', { ...specZ, default: true }));
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '0', '--webhook-address', 'localhost:0', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')]);
  const port = /webhook on localhost:(\d+)/.exec(controller.stdout())?.[1];
  t.truthy(port, controller.stdout());
  const dispatcher = new Agent({ connect: { ca: cert } });
  t.teardown(() => dispatcher.close());
  const ask = async (body: object) => {
    const answer = await fetch(`https://localhost:${port}/validate?timeout=10s`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher });
    return ((await answer.json()) as { response: { allowed: boolean; status?: { message: string } } }).response;
  };

  const overlapping = { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name: 'y' }, spec: { ...specZ, ips: ['10.85.0.15-10.85.0.30'] } };
  t.like(await ask(review('CREATE', overlapping)), { allowed: false, status: { message: 'pools: "y" and "z" overlap at 10.85.0.15-10.85.0.20' } });

  const pod = cluster.addPod({ name: 'p', node: 'node-1' });
  t.is((await cluster.addAsKubelet(pod, { containerID: 'c1' })).exitCode, 0);
  const stored = cluster.api.objects.get('ippools.nicpool.io', 'z') as unknown as { metadata: { name: string } };
  const counted = (n: number) => cluster.until('ippools.nicpool.io', () => (cluster.api.objects.get('ippools.nicpool.io', 'z') as unknown as { status?: { allocatedIPCount?: number } }).status?.allocatedIPCount, (c) => c === n);
  await counted(1);
  t.like(await ask(review('DELETE', null, stored)), { allowed: false, status: { message: 'cannot delete pool "z" while 1 of its IPs is allocated' } });
  await cluster.ipam('DEL', pod, { containerID: 'c1' });
  await counted(0);
  t.like(await ask(review('DELETE', null, stored)), { allowed: true });
});
