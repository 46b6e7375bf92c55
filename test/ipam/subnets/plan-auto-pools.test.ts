// planAutoPools (ipam/subnets/plan-auto-pools.ts): carving per-workload pools out of Subnets.
import test from '../../support/test.ts';
import { RangeSet } from '../../../netconf/ip/index.ts';
import type { IPPool } from '../../../netconf/ippool.ts';
import type { Subnet } from '../../../netconf/subnet.ts';
import { autoPoolName, planAutoPools, type AutoPoolWish } from '../../../ipam/subnets/plan-auto-pools.ts';

const subnet: Subnet = { metadata: { name: 'sub-a' }, spec: { ipVersion: 4, subnet: '10.5.0.0/24', ips: ['10.5.0.10-10.5.0.29'], gateway: '10.5.0.1', vlan: 7 } };
const owner = { kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'u-web' };
const wish = (size: number, overrides: Partial<AutoPoolWish> = {}): AutoPoolWish => ({ owner, selector: { matchLabels: { app: 'web' } }, nic: 'eth0', family: 4, subnet: 'sub-a', size, reclaim: true, ...overrides });
const none = () => RangeSet.of(4, []);
const held = (...last: number[]) => () => RangeSet.of(4, last.map((n) => [BigInt(0x0a050000 + n), BigInt(0x0a050000 + n)] as const));

test('U-SN-01 a new wish gets a pool of its size from the lowest free addresses, serving only its pods', (t) => {
  const plan = planAutoPools([wish(3)], [subnet], [], none);
  t.deepEqual(plan.shortfalls, []);
  t.deepEqual(plan.upserts, [
    {
      apiVersion: 'nicpool.io/v1',
      kind: 'IPPool',
      metadata: { name: 'auto-deployment-shop-web-eth0-v4', labels: { 'nicpool.io/subnet': 'sub-a', 'nicpool.io/interface': 'eth0', 'nicpool.io/owner-uid': 'u-web' } },
      spec: {
        ipVersion: 4,
        subnet: '10.5.0.0/24',
        ips: ['10.5.0.10-10.5.0.12'],
        gateway: '10.5.0.1',
        vlan: 7,
        podAffinity: { matchLabels: { app: 'web' } },
        namespaceAffinity: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
      },
    },
  ]);
});

test('U-SN-02 two workloads never overlap: the second carves after the first and after every other pool', (t) => {
  const first = planAutoPools([wish(3)], [subnet], [], none).upserts[0]!;
  const manual: IPPool = { metadata: { name: 'manual' }, spec: { ipVersion: 4, subnet: '10.5.0.0/24', ips: ['10.5.0.13-10.5.0.14'] } };
  const other = wish(2, { owner: { ...owner, name: 'api', uid: 'u-api' } });
  const plan = planAutoPools([wish(3), other], [subnet], [first, manual], none);
  t.deepEqual(plan.upserts.map((p) => [p.metadata.name, p.spec.ips]), [['auto-deployment-shop-api-eth0-v4', ['10.5.0.15-10.5.0.16']]]);
});

test('U-SN-03 growing adds free addresses; an unchanged pool is not rewritten', (t) => {
  const current = planAutoPools([wish(3)], [subnet], [], none).upserts[0]!;
  t.deepEqual(planAutoPools([wish(3)], [subnet], [current], none).upserts, []);
  t.deepEqual(planAutoPools([wish(5)], [subnet], [current], none).upserts[0]!.spec.ips, ['10.5.0.10-10.5.0.14']);
});

test('U-SN-04 shrinking gives back free addresses from the top and never an allocated one', (t) => {
  const current = planAutoPools([wish(5)], [subnet], [], none).upserts[0]!;
  t.deepEqual(planAutoPools([wish(2)], [subnet], [current], none).upserts[0]!.spec.ips, ['10.5.0.10-10.5.0.11']);
  // .13 and .14 are in use: the three free ones go, the two in use stay.
  t.deepEqual(planAutoPools([wish(2)], [subnet], [current], held(13, 14)).upserts[0]!.spec.ips, ['10.5.0.13-10.5.0.14']);
  // Three in use and a wish of 2: only the free ones go, the pool stays at 3.
  t.deepEqual(planAutoPools([wish(2)], [subnet], [current], held(10, 13, 14)).upserts[0]!.spec.ips, ['10.5.0.10', '10.5.0.13-10.5.0.14']);
});

test('U-SN-05 a Subnet too small: the pool gets what is free and the shortfall is said; a missing or wrong-family Subnet too', (t) => {
  const plan = planAutoPools([wish(25)], [subnet], [], none);
  t.deepEqual(plan.upserts[0]!.spec.ips, ['10.5.0.10-10.5.0.29']);
  t.deepEqual(plan.shortfalls.map((s) => s.message), ['auto-pool auto-deployment-shop-web-eth0-v4: Subnet "sub-a" has 20 free addresses, 25 more are needed (pool size 25)']);
  t.regex(planAutoPools([wish(1, { subnet: 'nope' })], [subnet], [], none).shortfalls[0]!.message, /Subnet "nope" does not exist/);
  t.regex(planAutoPools([wish(1, { family: 6 })], [subnet], [], none).shortfalls[0]!.message, /Subnet "sub-a" is IPv4, asked for IPv6/);
});

test('U-SN-06 pools of gone workloads are orphans, unless marked to be kept; other pools never are', (t) => {
  const mine = planAutoPools([wish(2)], [subnet], [], none).upserts[0]!;
  const kept = planAutoPools([wish(2, { owner: { ...owner, name: 'db', uid: 'u-db' }, reclaim: false })], [subnet], [mine], none).upserts[0]!;
  const manual: IPPool = { metadata: { name: 'manual' }, spec: { ipVersion: 4, subnet: '10.5.0.0/24', ips: ['10.5.0.29'] } };
  t.deepEqual(planAutoPools([], [subnet], [mine, kept, manual], none).orphans, [mine.metadata.name]);
});

test('U-SN-07 long names are cut and hashed under 253 characters, lowercased', (t) => {
  const name = autoPoolName({ owner: { ...owner, kind: 'StatefulSet', name: 'x'.repeat(300) }, nic: 'net1', family: 6 });
  t.true(name.length <= 253);
  t.regex(name, /^auto-statefulset-shop-x+-[0-9a-f]+$/);
});
