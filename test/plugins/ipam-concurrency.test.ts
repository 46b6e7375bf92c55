// Many ADDs at once on one pool, through the real binaries; and plugin processes killed with
// -9 mid-burst. Needs root (namespaces, macvlan).
import test from '../support/test.ts';
import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import { Lab, assertRoot, randomSuffix } from '../support/netns.ts';
import { createIpamNode, ipamPlugin, resultAddresses, type PoolInput } from '../support/ipam-lab.ts';
import { invariantViolations } from '../support/invariants.ts';
import { mapWithLimit } from '../../ipam/concurrency/map-with-limit.ts';

const pool: PoolInput = { name: 'burst', spec: { ipVersion: 4, subnet: '10.70.0.0/24', ips: ['10.70.0.2-10.70.0.254'], excludeIPs: ['10.70.0.100-10.70.0.109'], gateway: '10.70.0.1', default: true } };

test('C-S01 200 attachments, 16 in flight, through macvlan: all distinct, all allocatable; after DEL the pool is empty', async (t) => {
  assertRoot('ipam-concurrency.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  const node = await createIpamNode(lab, [pool]);
  // 20 pods with 10 NICs each: 200 macvlan attachments without 200 namespaces.
  const pods = await Promise.all(Array.from({ length: 20 }, () => node.pod()));
  const calls = pods.flatMap((pod) => Array.from({ length: 10 }, (_, nic) => ({ containerID: `ctr-${randomSuffix(10)}`, netns: pod.path, ifname: `net${nic}` })));
  const added = await mapWithLimit(calls, 16, (call) => node.chain('ADD', call));
  const failures = added.filter((outcome) => !outcome.ok);
  t.deepEqual(failures, []);
  const addresses = added.flatMap((outcome) => (outcome.ok ? resultAddresses(outcome.result) : []));
  t.is(new Set(addresses).size, 200);
  const state = await node.store();
  t.is(state.allocations.length, 200);
  t.deepEqual(invariantViolations(state, [pool]), []);
  t.false(addresses.some((ip) => ip === '10.70.0.1' || /^10\.70\.0\.10\d$/.test(ip)), 'gateway and excluded addresses are never handed out');

  const deleted = await mapWithLimit(calls, 16, (call) => node.chain('DEL', call));
  t.true(deleted.every((outcome) => outcome.ok));
  t.deepEqual((await node.store()).allocations, []);
});

test('C-S02 plugin processes killed with -9 mid-burst leave a consistent store; the runtime\'s DELs then free exactly theirs', async (t) => {
  assertRoot('ipam-concurrency.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  const node = await createIpamNode(lab, [pool]);
  const conf = JSON.stringify(node.ipamConf('1.1.0'));
  const ids = Array.from({ length: 80 }, (_, i) => `kill-${i}-${randomSuffix(6)}`);
  const outcomes = await mapWithLimit(ids, 16, async (id, index) => {
    const child = execa('ip', ['netns', 'exec', node.node.name, ipamPlugin], {
      input: conf,
      env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: id, CNI_NETNS: '/var/run/netns/none', CNI_IFNAME: 'eth0' },
      reject: false,
    });
    // Fault injection, not synchronisation: every third ADD dies at a random instant.
    if (index % 3 === 0) setTimeout(() => child.kill('SIGKILL'), Math.random() * 60);
    const done = await child;
    return { id, exitCode: done.exitCode, stdout: done.stdout };
  });
  const succeeded = outcomes.filter((outcome) => outcome.exitCode === 0);
  const killed = outcomes.filter((outcome) => outcome.exitCode !== 0);
  t.true(killed.length > 0, 'some processes were killed');

  const state = await node.store();
  t.deepEqual(invariantViolations(state, [pool]), []);
  for (const outcome of succeeded) {
    const ip = resultAddresses(JSON.parse(outcome.stdout))[0];
    t.true(state.allocations.some((a) => a.containerID === outcome.id && a.ip === ip), `${outcome.id} keeps ${ip}`);
  }
  // A runtime whose ADD failed sends DEL for it; afterwards only the successful ones hold IPs.
  await mapWithLimit(killed, 8, (outcome) =>
    execa('ip', ['netns', 'exec', node.node.name, ipamPlugin], { input: conf, env: { CNI_COMMAND: 'DEL', CNI_CONTAINERID: outcome.id, CNI_IFNAME: 'eth0' } }),
  );
  const after = await node.store();
  t.deepEqual(after.allocations.map((a) => a.containerID).sort(), succeeded.map((o) => o.id).sort());
  t.deepEqual((await readdir(node.dataDir)).filter((name) => name.endsWith('.tmp')), [], 'no temp file survives a later update');
});
