// The agent process: its socket's permissions, one agent per socket, stale sockets, the HTTP
// edge (health, limits) and a graceful stop with requests in flight.
import test from '../../support/test.ts';
import { request } from 'node:http';
import { connect } from 'node:net';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
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

test('G-16 an existing socket directory owned by another user, or writable by others, is refused: exit 1 naming it', async (t) => {
  const node = await agentNode(t);
  const foreign = join(node.dir, 'foreign');
  await mkdir(foreign, { mode: 0o700 });
  await chown(foreign, 65534, 65534);
  const owned = startAgent(t, join(foreign, 'agent.sock'));
  t.is(await owned.exited(), 1);
  t.regex(owned.stderr(), /cannot start: socket directory .*\/foreign is owned by uid 65534, not by root; refusing to use it/);

  const open = join(node.dir, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  const writable = startAgent(t, join(open, 'agent.sock'));
  t.is(await writable.exited(), 1);
  t.regex(writable.stderr(), /cannot start: socket directory .*\/open is writable by others \(mode 0777\); refusing to use it/);
  await t.throwsAsync(stat(join(open, 'agent.sock')), { code: 'ENOENT' }, 'never listened');
});

test('G-17 the plugin refuses a socket whose directory another user could swap: code 7 naming it, nothing sent', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  await chmod(join(node.dir, 'run'), 0o733);
  const refused = await node.ipam('ADD', node.conf({ agentWaitMs: 0 }));
  t.like(refused.json, { code: 7, msg: `nicpool agent at ${node.socketPath}: socket directory ${join(node.dir, 'run')} is writable by others (mode 0733); refusing to use it` });
  t.deepEqual((await node.store()).allocations, [], 'the agent was never asked');
  await chmod(join(node.dir, 'run'), 0o700);
  t.is((await node.ipam('ADD', node.conf())).exitCode, 0);
});

test('G-18 SIGTERM with a client that sent half a request: that connection is closed at once and the agent exits in seconds', async (t) => {
  const node = await agentNode(t);
  // A short drain: the bound asserted below is then far from what a saturated machine adds.
  const agent = startAgent(t, node.socketPath, ['--drain-ms', '2000']);
  await agent.listening;
  const client = connect(node.socketPath);
  t.teardown(() => client.destroy());
  let received = '';
  client.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.on('error', () => undefined);
  // Expect: 100-continue makes the agent say when it holds the request (headers parsed, handler called).
  client.write('POST /v1/cni HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
  await withDeadline(new Promise<void>((resolve) => client.on('data', () => received.includes('100 Continue') && resolve())), { what: 'the agent to answer 100 Continue', lastSeen: () => received });
  client.write('{"command":');
  const started = performance.now();
  agent.signal('SIGTERM');
  t.is(await withDeadline(agent.exited(), { what: 'the agent to exit after SIGTERM', ms: 30_000, lastSeen: () => agent.stderr() }), 0);
  const seconds = (performance.now() - started) / 1000;
  t.log(`exited ${seconds.toFixed(1)} s after SIGTERM`);
  t.true(seconds < 30, `took ${seconds} s (without the bound: as long as the client keeps the request open)`);
  await withDeadline(closed, { what: 'the half-sent connection to be closed' });
  await t.throwsAsync(stat(node.socketPath), { code: 'ENOENT' });
});
