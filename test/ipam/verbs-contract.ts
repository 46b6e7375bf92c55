// The contract every store keeps as the runtime sees it: the same cases, through the built
// nicpool-ipam, on the local store and on the Kubernetes store (agent + HTTP test API
// server). Each *.test.ts that calls runVerbsContract supplies its own driver; titles carry
// the store's name so both share one ava run.
import test from '../support/test.ts';
import type { ExecutionContext } from 'ava';
import type { ExecPluginResult } from '../support/exec-plugin.ts';

export interface VerbCall {
  containerID: string;
  ifname?: string;
  /** More CNI_ARGS (IP=…, NICPOOL_IPPOOLS=…). */
  args?: string;
  prevResult?: unknown;
}

export interface StoreDriver {
  /** Runs one verb for the pod of this name (in namespace default), which exists. */
  run(command: 'ADD' | 'DEL' | 'CHECK', pod: string, call: VerbCall): Promise<ExecPluginResult>;
  /** Every address the store holds, with its holder. */
  held(): Promise<{ ip: string; containerID: string; ifname: string }[]>;
}

/** The pools every case runs on: "small" (3 addresses, default) and "named" (only when asked). */
export const contractPools = [
  { metadata: { name: 'small' }, spec: { ipVersion: 4, subnet: '10.95.0.0/24', ips: ['10.95.0.10-10.95.0.12'], gateway: '10.95.0.1', default: true } },
  { metadata: { name: 'named' }, spec: { ipVersion: 4, subnet: '10.96.0.0/24', ips: ['10.96.0.10-10.96.0.200'] } },
];

export type NewDriver = (t: ExecutionContext) => Promise<StoreDriver>;

const addressOf = (result: ExecPluginResult) => (result.json as { ips?: { address: string }[] } | undefined)?.ips?.[0]?.address;

export function runVerbsContract(name: string, newDriver: NewDriver): void {
  test(`S-V01 [${name}] ADD answers an address of the default pool, held by the attachment`, async (t) => {
    const store = await newDriver(t);
    const add = await store.run('ADD', 'p1', { containerID: 'c1' });
    t.is(add.exitCode, 0, add.stdout);
    t.deepEqual(add.json, { cniVersion: '1.0.0', ips: [{ address: '10.95.0.10/24', gateway: '10.95.0.1' }], routes: [] });
    t.deepEqual(await store.held(), [{ ip: '10.95.0.10', containerID: 'c1', ifname: 'eth0' }]);
  });

  test(`S-V02 [${name}] a repeated ADD of one attachment answers the same address and holds one`, async (t) => {
    const store = await newDriver(t);
    const first = await store.run('ADD', 'p1', { containerID: 'c1' });
    const again = await store.run('ADD', 'p1', { containerID: 'c1' });
    t.is(again.exitCode, 0, again.stdout);
    t.deepEqual(again.json, first.json);
    t.is((await store.held()).length, 1);
  });

  test(`S-V03 [${name}] DEL frees the address; a second DEL of what is gone succeeds`, async (t) => {
    const store = await newDriver(t);
    await store.run('ADD', 'p1', { containerID: 'c1' });
    const del = await store.run('DEL', 'p1', { containerID: 'c1' });
    t.is(del.exitCode, 0, del.stdout);
    t.deepEqual(await store.held(), []);
    const again = await store.run('DEL', 'p1', { containerID: 'c1' });
    t.is(again.exitCode, 0, again.stdout);
    t.is(again.stdout, '');
  });

  test(`S-V04 [${name}] a full pool answers code 100 and holds nothing for the refused attachment`, async (t) => {
    const store = await newDriver(t);
    for (const i of [1, 2, 3]) t.is((await store.run('ADD', `p${i}`, { containerID: `c${i}` })).exitCode, 0);
    const refused = await store.run('ADD', 'p4', { containerID: 'c4' });
    t.is(refused.exitCode, 1);
    t.like(refused.json, { code: 100 });
    t.regex((refused.json as { msg: string }).msg, /"small" is exhausted/);
    t.deepEqual((await store.held()).map((h) => h.containerID).sort(), ['c1', 'c2', 'c3']);
  });

  test(`S-V05 [${name}] 30 concurrent ADDs of different pods get 30 different addresses`, async (t) => {
    const store = await newDriver(t);
    const adds = await Promise.all(Array.from({ length: 30 }, (_, i) => store.run('ADD', `p${i}`, { containerID: `c${i}`, args: 'NICPOOL_IPPOOLS=named' })));
    t.deepEqual(adds.filter((add) => add.exitCode !== 0).map((add) => add.stdout), []);
    t.is(new Set(adds.map(addressOf)).size, 30);
    t.is(new Set((await store.held()).map((h) => h.ip)).size, 30);
  });

  test(`S-V06 [${name}] CHECK passes after ADD and fails with code 103 after DEL`, async (t) => {
    const store = await newDriver(t);
    const add = await store.run('ADD', 'p1', { containerID: 'c1' });
    const prevResult = add.json;
    t.is((await store.run('CHECK', 'p1', { containerID: 'c1', prevResult })).exitCode, 0);
    await store.run('DEL', 'p1', { containerID: 'c1' });
    const check = await store.run('CHECK', 'p1', { containerID: 'c1', prevResult });
    t.is(check.exitCode, 1);
    t.like(check.json, { code: 103 });
  });

  test(`S-V07 [${name}] a requested IP is given when free and refused with code 102 when held`, async (t) => {
    const store = await newDriver(t);
    const add = await store.run('ADD', 'p1', { containerID: 'c1', args: 'IP=10.96.0.77' });
    t.is(addressOf(add), '10.96.0.77/24', add.stdout);
    const taken = await store.run('ADD', 'p2', { containerID: 'c2', args: 'IP=10.96.0.77' });
    t.like(taken.json, { code: 102 });
    t.deepEqual(await store.held(), [{ ip: '10.96.0.77', containerID: 'c1', ifname: 'eth0' }]);
  });

  test(`S-V08 [${name}] two NICs of one pod hold one address each, and DEL of one keeps the other`, async (t) => {
    const store = await newDriver(t);
    const eth0 = await store.run('ADD', 'p1', { containerID: 'c1', ifname: 'eth0' });
    const net1 = await store.run('ADD', 'p1', { containerID: 'c1', ifname: 'net1', args: 'NICPOOL_IPPOOLS=named' });
    t.is(addressOf(eth0), '10.95.0.10/24');
    t.is(addressOf(net1), '10.96.0.10/24');
    await store.run('DEL', 'p1', { containerID: 'c1', ifname: 'eth0' });
    t.deepEqual(await store.held(), [{ ip: '10.96.0.10', containerID: 'c1', ifname: 'net1' }]);
  });

  test(`S-V09 [${name}] a requested IP with a prefix that is none ("/99", "/abc") is code 7 naming it, and nothing is held`, async (t) => {
    const store = await newDriver(t);
    for (const bad of ['10.96.0.11/99', '/abc', '10.96.0.11/']) {
      const add = await store.run('ADD', 'p1', { containerID: 'c1', args: `IP=${bad}` });
      t.like(add.json, { code: 7, msg: `CNI_ARGS IP: ${JSON.stringify(bad)} is not an IPv4 or IPv6 address, with or without a valid prefix` }, add.stdout);
    }
    t.is(addressOf(await store.run('ADD', 'p1', { containerID: 'c1', args: 'IP=10.96.0.11/24' })), '10.96.0.11/24', 'a valid prefix is accepted');
    t.deepEqual(await store.held(), [{ ip: '10.96.0.11', containerID: 'c1', ifname: 'eth0' }]);
  });
}
