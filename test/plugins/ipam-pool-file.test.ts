// Pool files in every accepted form, through the real plugin binary (no root needed: IPAM
// alone never touches the pod's netns).
import type { ExecutionContext } from 'ava';
import test from '../support/test.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execPlugin, type ExecPluginResult } from '../support/exec-plugin.ts';
import { ipamPlugin } from '../support/ipam-lab.ts';

async function addWithPoolFile(t: ExecutionContext, fileName: string, content: string, ipam: Record<string, unknown> = {}): Promise<ExecPluginResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-poolfile-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const poolFile = path.join(dir, fileName);
  await writeFile(poolFile, content);
  const stdin = { cniVersion: '1.0.0', name: 'net', type: 'macvlan', ipam: { type: 'nicpool-ipam', poolFile, dataDir: path.join(dir, 'store'), ...ipam } };
  return execPlugin(ipamPlugin, { command: 'ADD', containerID: 'c1', netns: '/var/run/netns/c1', ifname: 'eth0', stdin });
}

const yamlPools = `apiVersion: nicpool.io/v1
kind: IPPool
metadata: { name: a }
spec:
  ipVersion: 4
  subnet: 10.80.0.0/24
  ips: [10.80.0.5-10.80.0.9]
  default: true
---
apiVersion: nicpool.io/v1
kind: IPPool
metadata: { name: a6 }
spec: { ipVersion: 6, subnet: "fd00:80::/64", ips: ["fd00:80::5"], default: true }
`;

test('P-01 a YAML pool file with several documents is read', async (t) => {
  const result = await addWithPoolFile(t, 'pools.yaml', yamlPools);
  t.deepEqual(result.json, { cniVersion: '1.0.0', ips: [{ address: '10.80.0.5/24' }, { address: 'fd00:80::5/64' }], routes: [] });
});

test('P-02 a JSON List (items) pool file is read', async (t) => {
  const list = { apiVersion: 'v1', kind: 'List', items: [{ metadata: { name: 'a' }, spec: { ipVersion: 4, subnet: '10.81.0.0/24', ips: ['10.81.0.7'], default: true } }] };
  const result = await addWithPoolFile(t, 'pools.json', JSON.stringify(list));
  t.deepEqual(result.json, { cniVersion: '1.0.0', ips: [{ address: '10.81.0.7/24' }], routes: [] });
});

test('P-03 a pool file that is not JSON is code 6 naming the file', async (t) => {
  const result = await addWithPoolFile(t, 'pools.json', '{ nope');
  t.is(result.exitCode, 1);
  t.like(result.json, { code: 6 });
  t.regex((result.json as { msg: string }).msg, /^ipam\.poolFile: ".*pools\.json" is not valid JSON/);
});

test('P-04 a bad pool in the file is code 7 naming the file, the index and the key', async (t) => {
  const result = await addWithPoolFile(t, 'pools.yaml', 'metadata: { name: a }\nspec: { ipVersion: 4, subnet: 10.82.0.0/24, ips: [10.82.1.5] }\n');
  t.like(result.json, { code: 7 });
  t.regex((result.json as { msg: string }).msg, /pools\.yaml\[0\]\.spec\.ips\[0\]: "10\.82\.1\.5" lies outside subnet 10\.82\.0\.0\/24$/);
});

test('P-05 a pool named both inline and in the file is code 7', async (t) => {
  const inline = [{ metadata: { name: 'a' }, spec: { ipVersion: 4, subnet: '10.83.0.0/24', ips: ['10.83.0.9'] } }];
  const result = await addWithPoolFile(t, 'pools.yaml', yamlPools, { pools: inline });
  t.like(result.json, { code: 7, msg: 'pools: pool name "a" is defined twice' });
});

test('P-06 no pool file and no inline pools is code 101 saying how to name a pool', async (t) => {
  const result = await addWithPoolFile(t, 'other.json', '[]', { poolFile: '/nonexistent/pools.json' });
  t.like(result.json, { code: 101 });
  t.regex((result.json as { msg: string }).msg, /^no pool for network "net"/);
});

test('P-07 a pool file that is not a pool file never has its content echoed: not JSON is code 6, another JSON document code 7', async (t) => {
  const secret = 'root:$6$s3cr3t-hash-that-must-not-leak:19000:0:99999:7:::';
  const notJson = await addWithPoolFile(t, 'pools.json', `${secret}\n`);
  t.like(notJson.json, { code: 6 });
  t.regex((notJson.json as { msg: string }).msg, /^ipam\.poolFile: ".*pools\.json" is not valid JSON: Unexpected token 'r'$/);
  const notYaml = await addWithPoolFile(t, 'pools.yaml', `a: [\n${secret}\n`);
  t.like(notYaml.json, { code: 6 });
  t.false((notYaml.json as { msg: string }).msg.includes('s3cr3t'), (notYaml.json as { msg: string }).msg);
  const otherJson = await addWithPoolFile(t, 'pools.json', JSON.stringify({ password: secret }));
  t.like(otherJson.json, { code: 7 });
  t.regex((otherJson.json as { msg: string }).msg, /^ipam\.poolFile: ".*pools\.json" is not a pool file \(an array of IPPool objects, a List with "items", or YAML documents\)$/);
  for (const result of [notJson, notYaml, otherJson]) t.false(result.stdout.includes('s3cr3t') || result.stderr.includes('s3cr3t'), result.stdout);
});
