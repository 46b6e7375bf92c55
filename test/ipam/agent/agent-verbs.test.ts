// nicpool-ipam with ipam.agentSocket: every verb served by the agent (a child process), through
// the real built plugin. No root needed: IPAM alone never enters the pod's netns.
import test from '../../support/test.ts';
import { agentNode, runningAgent } from './agent-support.ts';

test('G-01 ADD through the agent returns what the local path returns, in the requested version', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  for (const cniVersion of ['0.3.1', '1.1.0']) {
    const viaAgent = await node.ipam('ADD', node.conf({}, { cniVersion }), { containerID: `c-${cniVersion}` });
    const local = await node.ipam('ADD', node.conf({}, { cniVersion, local: true }), { containerID: `c-${cniVersion}` });
    t.is(viaAgent.exitCode, 0, viaAgent.stdout);
    t.deepEqual(viaAgent.json, local.json);
  }
  t.like((await node.store()).allocations, [{ ip: '10.90.0.10', containerID: 'c-0.3.1' }, { ip: '10.90.0.11', containerID: 'c-1.1.0' }]);
});

test('G-02 a repeated ADD of one attachment gets the same address', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  const first = await node.ipam('ADD', node.conf());
  const again = await node.ipam('ADD', node.conf());
  t.deepEqual(first.json, { cniVersion: '1.0.0', ips: [{ address: '10.90.0.10/24', gateway: '10.90.0.1' }], routes: [] });
  t.deepEqual(again.json, first.json);
  t.is((await node.store()).allocations.length, 1);
});

test('G-03 DEL through the agent releases the address, and a second DEL still succeeds', async (t) => {
  const node = await agentNode(t);
  const agent = await runningAgent(t, node);
  await node.ipam('ADD', node.conf());
  const del = await node.ipam('DEL', node.conf());
  t.is(del.exitCode, 0, del.stdout);
  t.is(del.stdout, '');
  t.deepEqual((await node.store()).allocations, []);
  t.is((await node.ipam('DEL', node.conf())).exitCode, 0);
  await agent.logged(/DEL c1\/eth0 released 10\.90\.0\.10 200/);
  t.pass();
});

test('G-04 GC and CHECK through the agent', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  const added = await node.ipam('ADD', node.conf({}, { cniVersion: '1.1.0' }), { containerID: 'keep' });
  await node.ipam('ADD', node.conf({}, { cniVersion: '1.1.0' }), { containerID: 'gone' });
  const check = await node.ipam('CHECK', { ...node.conf({}, { cniVersion: '1.1.0' }), prevResult: added.json }, { containerID: 'keep' });
  t.is(check.exitCode, 0, check.stdout);
  const gc = await node.ipam('GC', { ...node.conf({}, { cniVersion: '1.1.0' }), 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] });
  t.is(gc.exitCode, 0, gc.stdout);
  t.deepEqual((await node.store()).allocations.map((held) => held.containerID), ['keep']);
  const stale = await node.ipam('CHECK', { ...node.conf({}, { cniVersion: '1.1.0' }), prevResult: added.json }, { containerID: 'gone' });
  t.like(stale.json, { code: 103 });
});

test('G-05 STATUS through the agent: ready with a free address, code 50 with no usable pool', async (t) => {
  const node = await agentNode(t);
  await runningAgent(t, node);
  t.is((await node.ipam('STATUS', node.conf({}, { cniVersion: '1.1.0' }))).exitCode, 0);
  const none = await node.ipam('STATUS', node.conf({ pools: [] }, { cniVersion: '1.1.0' }));
  t.deepEqual(none.json, { cniVersion: '1.1.0', code: 50, msg: 'no usable pool for network "net" on this node' });
});

test('G-06 an invalid ipam block is refused by the agent with code 7 and the local path\'s exact message', async (t) => {
  const node = await agentNode(t);
  const agent = await runningAgent(t, node);
  const viaAgent = await node.ipam('ADD', node.conf({ lockTimeoutMs: 0 }));
  const local = await node.ipam('ADD', node.conf({ lockTimeoutMs: 0 }, { local: true }));
  t.is(viaAgent.exitCode, 1);
  t.deepEqual(viaAgent.json, { cniVersion: '1.0.0', code: 7, msg: 'ipam.lockTimeoutMs: too small: expected number to be >0, got 0' });
  t.deepEqual(viaAgent.json, local.json);
  await agent.logged(/ADD c1\/eth0 400 .*error 7: ipam\.lockTimeoutMs/);
  t.pass();
});

test('G-07 no agent on the socket is code 11 naming the socket, after agentWaitMs', async (t) => {
  const node = await agentNode(t);
  const started = Date.now();
  const result = await node.ipam('ADD', node.conf({ agentWaitMs: 300 }));
  t.deepEqual(result.json, { cniVersion: '1.0.0', code: 11, msg: `nicpool agent at ${node.socketPath} is unreachable (ENOENT); try again later` });
  t.true(Date.now() - started >= 300, 'it waited for the agent first');
});

test('G-15 an ADD sent while the agent is not there yet waits for it, and succeeds once it listens', async (t) => {
  const node = await agentNode(t);
  const add = node.ipam('ADD', node.conf({ agentWaitMs: 30_000 }));
  await runningAgent(t, node);
  const result = await add;
  t.is(result.exitCode, 0, result.stdout);
  t.like((await node.store()).allocations, [{ containerID: 'c1' }]);
});

test('G-08 a relative agentSocket is refused by the schema (code 7), not dialled', async (t) => {
  const node = await agentNode(t);
  const result = await node.ipam('ADD', node.conf({ agentSocket: 'run/agent.sock' }));
  t.deepEqual(result.json, { cniVersion: '1.0.0', code: 7, msg: 'ipam.agentSocket: "run/agent.sock" must be an absolute path' });
});
