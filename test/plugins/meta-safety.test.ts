// Safety of the meta plugins (issue "Safety holes"): they never touch the namespace they run
// in as if it were a pod's, and every plugin answers libcni's VERSION probe. Needs root.
import type { ExecutionContext } from 'ava';
import test from '../support/test.ts';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, runChain } from '../support/cni-runner.ts';
import { execPlugin } from '../support/exec-plugin.ts';
import { assertRoot, ipIn, ipJson, Lab, type Netns } from '../support/netns.ts';
import { buildRoutingLab, type ChainOptions } from '../support/routing-lab.ts';

const plugin = (name: string) => path.join(repoRoot, 'dist', 'plugins', name);
const plugins = ['nicpool-ipam', 'nicpool-coordinator', 'nicpool-router'] as const;

test('H-01 VERSION ignores CNI_NETNS, CNI_IFNAME, CNI_CONTAINERID and CNI_PATH (libcni\'s "dummy" probe) in all three plugins', async (t) => {
  for (const name of plugins) {
    const probe = await execPlugin(plugin(name), { command: 'VERSION', netns: 'dummy', ifname: 'dummy', containerID: 'dummy', path: 'dummy', stdin: { cniVersion: '1.0.0' } });
    t.is(probe.exitCode, 0, `${name}: ${probe.stdout}`);
    t.deepEqual((probe.json as { supportedVersions?: string[] }).supportedVersions?.includes('1.0.0'), true, name);
    // Even values that could never be valid for another verb.
    const odd = await execPlugin(plugin(name), { command: 'VERSION', netns: '../x', ifname: 'a/b', containerID: '-x', stdin: { cniVersion: '1.0.0' } });
    t.is(odd.exitCode, 0, `${name}: ${odd.stdout}`);
  }
});

/** Everything of a namespace a plugin could change: links, addresses, rules, routes, neighbours. */
async function snapshot(ns: string): Promise<string> {
  const parts: unknown[] = [await ipJson(ns, ['link', 'show'])];
  for (const family of ['-4', '-6']) {
    parts.push(await ipJson(ns, [family, 'addr', 'show']), await ipJson(ns, [family, 'rule', 'show']), await ipJson(ns, [family, 'route', 'show', 'table', 'all']), await ipJson(ns, [family, 'neigh', 'show']));
  }
  return JSON.stringify(parts);
}

/** A namespace that looks like a node: an uplink with addresses and default routes. */
async function nodeLike(lab: Lab): Promise<Netns> {
  const ns = await lab.netns('own');
  const peer = await lab.netns('own-peer');
  await lab.veth('up0', ns.name, 'peer0', peer.name);
  await ipIn(ns.name, ['addr', 'add', '10.77.0.2/24', 'dev', 'up0']);
  await ipIn(ns.name, ['addr', 'add', 'fd00:77::2/64', 'dev', 'up0', 'nodad']);
  await ipIn(ns.name, ['link', 'set', 'up0', 'up']);
  await ipIn(ns.name, ['route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'up0']);
  await ipIn(ns.name, ['-6', 'route', 'add', 'default', 'via', 'fd00:77::1', 'dev', 'up0']);
  return ns;
}

const prevResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'up0', mac: '02:00:00:00:00:01', sandbox: '/x' }],
  ips: [{ address: '10.77.0.50/24', gateway: '10.77.0.99', interface: 0 }, { address: 'fd00:77::50/64', gateway: 'fd00:77::99', interface: 0 }],
};

/** ADD and CHECK refused, DEL a no-op, run in a namespace that is also its CNI_NETNS. */
function refusesOwnNetns(name: 'nicpool-router' | 'nicpool-coordinator') {
  return async (t: ExecutionContext) => {
    assertRoot('meta-safety.test.ts');
    const lab = new Lab();
    t.teardown(() => lab.cleanup());
    const ns = await nodeLike(lab);
    const before = await snapshot(ns.name);
    // The default-route NIC (up0 here): the router would replace and delete its default route.
    const own = name === 'nicpool-router' ? { defaultRouteNic: 'up0' } : { serviceCidrs: ['10.96.0.0/16'] };
    const conf = { cniVersion: '1.0.0', name: 'own', type: name, ...own, prevResult };
    for (const netns of [ns.path, '/proc/self/ns/net']) {
      const run = (command: string) => execPlugin(plugin(name), { command, containerID: 'own-1', netns, ifname: 'up0', stdin: conf, runnerNetns: ns.name });
      for (const command of ['ADD', 'CHECK']) {
        const outcome = await run(command);
        t.is(outcome.exitCode, 1, `${command} ${netns}: ${outcome.stdout}`);
        t.like(outcome.json, { code: 4 }, `${command} ${netns}`);
        t.regex((outcome.json as { msg: string }).msg, /CNI_NETNS: ".*" is the plugin's own network namespace/);
      }
      const del = await run('DEL');
      t.is(del.exitCode, 0, `DEL ${netns}: ${del.stdout}`);
      t.regex(del.stderr, /own network namespace/, 'DEL says why it did nothing');
      t.is(await snapshot(ns.name), before, `nothing changed (${netns})`);
    }
  };
}
const ownNetnsPromise = 'refuses ADD and CHECK (code 4) and does nothing on DEL when CNI_NETNS is its own namespace, by name or /proc/self; the namespace is unchanged';
test(`H-02 nicpool-router ${ownNetnsPromise}`, refusesOwnNetns('nicpool-router'));
test(`H-03 nicpool-coordinator ${ownNetnsPromise}`, refusesOwnNetns('nicpool-coordinator'));

/** The addresses the local store holds for one container (the lab's pool file store). */
async function heldBy(conflist: object, containerID: string): Promise<string[]> {
  const ipam = (conflist as { plugins: Array<{ ipam?: { dataDir: string } }> }).plugins[0]!.ipam!;
  const file = path.join(ipam.dataDir, 'allocations.json');
  if (!existsSync(file)) return [];
  const state = JSON.parse(await readFile(file, 'utf8')) as { allocations: Array<{ ip: string; containerID: string }> };
  return state.allocations.filter((allocation) => allocation.containerID === containerID).map((allocation) => allocation.ip);
}

/** An ADD that fails on a config typo, then the chain's DEL. */
function delAfterTypo(id: string, options: ChainOptions) {
  return async (t: ExecutionContext) => {
    assertRoot('meta-safety.test.ts');
    const lab = new Lab();
    t.teardown(() => lab.cleanup());
    const routing = await buildRoutingLab(lab);
    const pod = await lab.netns('typo');
    const conflist = routing.conflist('B', options);
    const cacheDir = await lab.tmpDir('typo-cache');
    const call = { conflist, containerID: `typo-${id}`, netns: pod.path, ifname: 'net1', cacheDir, runnerNetns: routing.node.name, args: [['IgnoreUnknown', '1']] as const };
    const added = await runChain('ADD', call);
    t.like(added, { ok: false, error: { code: 2 } }, JSON.stringify(added));
    t.is((await heldBy(conflist, call.containerID)).length, 2, 'the IPAM allocated before the meta plugin failed');
    const deleted = await runChain('DEL', call);
    t.true(deleted.ok, JSON.stringify(deleted));
    t.deepEqual(await heldBy(conflist, call.containerID), [], 'DEL reached nicpool-ipam');
  };
}
test('H-04 after an ADD failed on a typo (router.tablebase), DEL of the chain through libcni succeeds and the pool has the address back', delAfterTypo('H-04', { router: { tablebase: 200 } }));
test('H-05 after an ADD failed on a typo (coordinator.nodetable), DEL of the chain through libcni succeeds and the pool has the address back', delAfterTypo('H-05', { coordinator: { nodetable: 600 }, router: false }));
