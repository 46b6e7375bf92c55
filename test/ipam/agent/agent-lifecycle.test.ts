// The agent process: its socket's permissions, one agent per socket, stale sockets, the HTTP
// edge (health, limits) and a graceful stop with requests in flight.
import test from '../../support/test.ts';
import { request } from 'node:http';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withDeadline } from '../../support/deadline.ts';
import { agentNode, runningAgent, startAgent } from './agent-support.ts';

/** One raw HTTP exchange with the agent, as the plugin's client would make it. */
function exchange(socketPath: string, method: string, path: string, options: { body?: string; declaredLength?: number } = {}): Promise<{ status: number; json: unknown }> {
  const answered = new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const headers = options.declaredLength === undefined ? {} : { 'content-length': options.declaredLength };
    const req = request({ socketPath, method, path, agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    // A declared length larger than what is written: the agent must answer without the rest.
    if (options.declaredLength === undefined) req.end(options.body);
    else req.write(options.body ?? '');
  });
  return withDeadline(answered, { what: `the agent to answer ${method} ${path}` });
}

test('G-09 the socket is 0600 in a 0700 directory the agent created', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  t.is((await stat(node.socketPath)).mode & 0o777, 0o600);
  t.is((await stat(join(node.dir, 'run'))).mode & 0o777, 0o700);
  t.true((await stat(node.socketPath)).isSocket());
});

test('G-10 a second agent on a socket that answers refuses to start, and the first keeps serving', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  const second = startAgent(t, node.socketPath);
  t.is(await second.exited(), 1);
  t.regex(second.stderr(), /another agent answers on .*agent\.sock; refusing to start/);
  t.is((await node.ipam('ADD', node.conf())).exitCode, 0);
});

test('G-11 a socket left by a killed agent is code 11 (refused) until a new agent replaces it', async (t) => {
  const node = await agentNode(t);
  const first = await runningAgent(t, node);
  first.signal('SIGKILL');
  await first.exited();
  t.true((await stat(node.socketPath)).isSocket());
  const down = await node.ipam('ADD', node.conf({ agentWaitMs: 0 }));
  t.like(down.json, { code: 11, msg: `nicpool agent at ${node.socketPath} is unreachable (ECONNREFUSED); try again later` });
  await runningAgent(t, node);
  t.is((await node.ipam('ADD', node.conf())).exitCode, 0);
});

test('G-12 a path that is not a socket is never replaced', async (t) => {
  const node = await agentNode(t);
  const file = join(node.dir, 'not-a-socket');
  await writeFile(file, 'keep me');
  const agent = startAgent(t, file);
  t.is(await agent.exited(), 1);
  t.regex(agent.stderr(), /not-a-socket exists and is not a socket; refusing to replace it/);
  t.true((await stat(file)).isFile());
});

test('G-13 health, unknown routes and bodies over 1 MiB', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  t.deepEqual(await exchange(node.socketPath, 'GET', '/healthz'), { status: 200, json: { ok: true } });
  t.like(await exchange(node.socketPath, 'GET', '/v2/cni'), { status: 404, json: { code: 1 } });
  t.deepEqual(await exchange(node.socketPath, 'POST', '/v1/cni', { body: '{', declaredLength: 2 * 1024 * 1024 }), {
    status: 413,
    json: { code: 7, msg: 'request: body over 1048576 bytes' },
  });
  t.deepEqual(await exchange(node.socketPath, 'POST', '/v1/cni', { body: '{"command":"ADD"}' }), {
    status: 400,
    json: { code: 7, msg: 'request.conf: missing, invalid input: expected record, received undefined; request.env: missing, invalid input: expected object, received undefined' },
  });
});

test('G-14 SIGTERM with 20 ADDs in flight: each completes or is code 11, exit 0, socket gone, no IP twice', async (t) => {
  const node = await agentNode(t);
  const agent = await runningAgent(t, node);
  const adds = Array.from({ length: 20 }, (_, i) => node.ipam('ADD', node.conf(), { containerID: `c${i}` }));
  // Stop as soon as the first ADD was served: the others are queued, connecting or not yet started.
  await agent.logged(/ADD c\d+\/eth0 200/);
  agent.signal('SIGTERM');
  const results = await Promise.all(adds);
  t.is(await agent.exited(), 0);
  await t.throwsAsync(stat(node.socketPath), { code: 'ENOENT' });
  const state = await node.store();
  const ips = state.allocations.map((held) => held.ip);
  t.is(new Set(ips).size, ips.length, 'an IP is held twice');
  results.forEach((result, i) => {
    if (result.exitCode === 0) {
      const address = (result.json as { ips: Array<{ address: string }> }).ips[0]?.address;
      t.deepEqual(state.allocations.filter((held) => held.containerID === `c${i}`).map((held) => `${held.ip}/24`), [address]);
    } else {
      t.like(result.json, { code: 11 }, result.stdout);
    }
  });
  const drained = agent.stderr().split('SIGTERM:')[1]?.match(/ADD c\d+\/eth0 200/g)?.length ?? 0;
  t.log(`${results.filter((result) => result.exitCode === 0).length} of 20 ADDs completed, ${drained} of them after SIGTERM`);
});
