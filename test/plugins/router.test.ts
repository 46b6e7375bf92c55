// nicpool-router in the routing lab (design §6): replies leave on the NIC their request came
// in on, behind a router that drops by reverse path. Needs root.
import type { ExecutionContext } from 'ava';
import test from '../support/test.ts';
import path from 'node:path';
import { repoRoot } from '../support/cni-runner.ts';
import { execPlugin } from '../support/exec-plugin.ts';
import { assertRoot, ipJson, Lab } from '../support/netns.ts';
import { pings, tcpExchange } from '../support/probes.ts';
import { buildRoutingLab, type RoutingLab } from '../support/routing-lab.ts';

const routerPlugin = path.join(repoRoot, 'dist', 'plugins', 'nicpool-router');

async function routingLab(t: ExecutionContext): Promise<RoutingLab> {
  assertRoot('router.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  return buildRoutingLab(lab);
}

const twoNics = { eth0: 'A', net1: 'B' };

async function rulesAndTables(ns: string): Promise<{ rules: string[]; routes: string[] }> {
  const rules = [...((await ipJson(ns, ['-4', 'rule', 'show'])) as Array<{ priority: number; src?: string; table?: string }>), ...((await ipJson(ns, ['-6', 'rule', 'show'])) as Array<{ priority: number; src?: string; table?: string }>)];
  const routes = [...((await ipJson(ns, ['-4', 'route', 'show', 'table', 'all'])) as Array<{ dst: string; table?: string; gateway?: string; dev?: string }>), ...((await ipJson(ns, ['-6', 'route', 'show', 'table', 'all'])) as Array<{ dst: string; table?: string; gateway?: string; dev?: string }>)];
  return {
    rules: rules.filter((rule) => rule.priority === 1000).map((rule) => `${rule.src} → ${rule.table}`).sort(),
    routes: routes.filter((route) => route.table !== undefined && /^\d+$/.test(route.table)).map((route) => `${route.table}: ${route.dst}${route.gateway ? ` via ${route.gateway}` : ''} dev ${route.dev}`).sort(),
  };
}

test('R-01 control: without nicpool-router the client reaches the pod on eth0 (A) but not on net1 (B): the router drops the reply', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics, { router: false });
  // What a pod has without us: one default route, through eth0.
  await ipJson(pod.netns.name, ['-4', 'route', 'add', 'default', 'via', '10.10.0.1', 'dev', 'eth0']);
  await ipJson(pod.netns.name, ['-6', 'route', 'add', 'default', 'via', 'fd00:10::1', 'dev', 'eth0']);
  const { eth0, net1 } = pod.addresses;
  t.true(await pings(lab.client.name, eth0!.ipv4), 'A address, IPv4');
  t.true(await pings(lab.client.name, eth0!.ipv6), 'A address, IPv6');
  t.false(await pings(lab.client.name, net1!.ipv4), 'B address, IPv4: reply leaves through eth0 and is dropped');
  t.false(await pings(lab.client.name, net1!.ipv6), 'B address, IPv6: reply leaves through eth0 and is dropped');
});

test('R-02 with nicpool-router the client reaches both pod addresses, IPv4 and IPv6, by ping and TCP', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics);
  for (const ifname of ['eth0', 'net1']) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const ip = pod.addresses[ifname]![family];
      t.true(await pings(lab.client.name, ip), `ping ${ifname} ${ip}`);
      t.true(await tcpExchange(pod.netns.name, lab.client.name, ip), `TCP ${ifname} ${ip}`);
    }
  }
});

test('R-05 a 3-NIC pod gets 3 distinct tables, numbered from the NIC names, the same for every pod', async (t) => {
  const lab = await routingLab(t);
  const threeNics = { eth0: 'A', net1: 'B', net2: 'D' };
  const first = await lab.attach('tri-0', threeNics);
  const second = await lab.attach('tri-1', threeNics);
  for (const pod of [first, second]) {
    const { rules, routes } = await rulesAndTables(pod.netns.name);
    const { net1, net2 } = pod.addresses;
    t.deepEqual(rules, [`${net1!.ipv4} → 101`, `${net2!.ipv4} → 102`, `${net1!.ipv6} → 101`, `${net2!.ipv6} → 102`].sort());
    t.deepEqual(routes, [
      '101: 10.20.0.0/24 dev net1', '101: default via 10.20.0.1 dev net1', '101: fd00:20::/64 dev net1', '101: default via fd00:20::1 dev net1',
      '102: 10.40.0.0/24 dev net2', '102: default via 10.40.0.1 dev net2', '102: fd00:40::/64 dev net2', '102: default via fd00:40::1 dev net2',
    ].sort());
    t.true(await pings(lab.client.name, net2!.ipv4), 'the third NIC answers too');
  }
});

test('R-06 re-ADD converges and CHECK reports drift precisely; re-ADD repairs it', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics);
  const before = await rulesAndTables(pod.netns.name);
  t.true((await lab.check(pod)).every((outcome) => outcome.ok), 'CHECK after ADD');
  // The router alone, ADD again with the chain's prevResult for net1 (macvlan refuses a second ADD).
  const prevResult = pod.outcomes.net1!.ok ? pod.outcomes.net1!.result : undefined;
  const routerAdd = () => execPlugin(routerPlugin, { command: 'ADD', containerID: pod.containerID, netns: pod.netns.path, ifname: 'net1', stdin: { cniVersion: '1.0.0', name: 'underlay-b', type: 'nicpool-router', prevResult } });
  const again = await routerAdd();
  t.is(again.exitCode, 0, again.stdout);
  t.deepEqual(again.json, prevResult, 'prevResult passes through unchanged');
  t.deepEqual(await rulesAndTables(pod.netns.name), before, 're-ADD changes nothing');

  await ipJson(pod.netns.name, ['route', 'del', 'default', 'table', '101']);
  const drift = await lab.check(pod);
  t.deepEqual(drift.map((outcome) => (outcome.ok ? 'ok' : `${outcome.error.code} ${outcome.error.msg}`)), ['ok', '103 net1: missing route 0.0.0.0/0 via 10.20.0.1 dev net1 table 101']);
  t.is((await routerAdd()).exitCode, 0);
  t.deepEqual(await rulesAndTables(pod.netns.name), before, 're-ADD repaired the table');
  t.true((await lab.check(pod)).every((outcome) => outcome.ok), 'CHECK after the repair');
});

test('R-07 after DEL nothing of the router is left in the pod; DEL again succeeds', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('web-0', twoNics);
  const outcomes = await lab.detach(pod);
  t.true(outcomes.every((outcome) => outcome.ok), JSON.stringify(outcomes));
  t.deepEqual(await rulesAndTables(pod.netns.name), { rules: [], routes: [] });
  t.true((await lab.detach(pod)).every((outcome) => outcome.ok), 'second DEL');
});

test('R-08 NICs whose names end in the same number (net1, ext1) get their own tables, kept on re-ADD; DEL of one without prevResult leaves the other', async (t) => {
  const lab = await routingLab(t);
  const pod = await lab.attach('dup-0', { eth0: 'A', net1: 'B', ext1: 'D' });
  const { net1, ext1 } = pod.addresses;
  const tableOf = async (ip: string) => (await rulesAndTables(pod.netns.name)).rules.find((rule) => rule.startsWith(`${ip} → `))?.split(' → ')[1];
  const net1Table = await tableOf(net1!.ipv4);
  const ext1Table = await tableOf(ext1!.ipv4);
  t.truthy(net1Table);
  t.truthy(ext1Table);
  t.not(net1Table, ext1Table, 'two tables');
  t.is(await tableOf(net1!.ipv6), net1Table);
  t.is(await tableOf(ext1!.ipv6), ext1Table);
  for (const ip of [net1!.ipv4, net1!.ipv6, ext1!.ipv4, ext1!.ipv6]) t.true(await pings(lab.client.name, ip), `client → ${ip}`);
  t.true((await lab.check(pod)).every((outcome) => outcome.ok), 'CHECK of every NIC');

  // Re-ADD of both keeps their tables.
  const before = await rulesAndTables(pod.netns.name);
  for (const ifname of ['net1', 'ext1']) {
    const prevResult = pod.outcomes[ifname]!.ok ? pod.outcomes[ifname]!.result : undefined;
    const again = await execPlugin(routerPlugin, { command: 'ADD', containerID: pod.containerID, netns: pod.netns.path, ifname, stdin: { cniVersion: '1.0.0', name: 'underlay', type: 'nicpool-router', prevResult } });
    t.is(again.exitCode, 0, again.stdout);
  }
  t.deepEqual(await rulesAndTables(pod.netns.name), before, 're-ADD changes nothing');

  // DEL of ext1 without prevResult finds ext1's table and only it.
  const del = await execPlugin(routerPlugin, { command: 'DEL', containerID: pod.containerID, netns: pod.netns.path, ifname: 'ext1', stdin: { cniVersion: '1.0.0', name: 'underlay', type: 'nicpool-router' } });
  t.is(del.exitCode, 0, del.stdout);
  const after = await rulesAndTables(pod.netns.name);
  t.deepEqual(after.rules, before.rules.filter((rule) => rule.endsWith(` → ${net1Table}`)), 'net1 keeps its rules');
  t.deepEqual(after.routes, before.routes.filter((route) => route.startsWith(`${net1Table}: `)), 'net1 keeps its table');
  t.true(await pings(lab.client.name, net1!.ipv4), 'net1 still answers');
});
