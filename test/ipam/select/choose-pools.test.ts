import test from '../../support/test.ts';
import type { CompiledPool } from '../../../ipam/pools/compiled-pool.ts';
import { choosePools, type PoolChoice } from '../../../ipam/select/choose-pools.ts';
import { attachment, ip, poolSet, request, throwsCni, type PoolOptions } from '../fixtures.ts';

const v4a: PoolOptions = { name: 'v4-a', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.19'] };
const v4b: PoolOptions = { name: 'v4-b', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.20-10.0.0.29'] };
const v4c: PoolOptions = { name: 'v4-c', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.30-10.0.0.39'] };
const v6a: PoolOptions = { name: 'v6-a', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::10-fd00::19'] };
const v6b: PoolOptions = { name: 'v6-b', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::20-fd00::29'] };

/** Pool names per family, to compare choices by value. */
function names(choice: PoolChoice): Partial<Record<4 | 6, string[]>> {
  const out: Partial<Record<4 | 6, string[]>> = {};
  for (const family of [4, 6] as const) {
    const pools: CompiledPool[] | undefined = choice[family];
    if (pools !== undefined) out[family] = pools.map((pool) => pool.name);
  }
  return out;
}

test('U-IP-21 a requested IP picks the pool containing it, before poolNames, defaultPools and default:true', (t) => {
  const pools = poolSet({ ...v4a, default: true }, v4b, v4c);
  const choice = choosePools(pools, request({ requestedIps: [ip('10.0.0.35')], poolNames: ['v4-b'], defaultPools: { 4: ['v4-a'] } }));
  t.deepEqual(names(choice), { 4: ['v4-c'] });
});

test('U-IP-22 poolNames win over defaultPools, in the order given', (t) => {
  const pools = poolSet(v4a, v4b, v4c);
  t.deepEqual(names(choosePools(pools, request({ poolNames: ['v4-c', 'v4-b'], defaultPools: { 4: ['v4-a'] } }))), { 4: ['v4-c', 'v4-b'] });
});

test('U-IP-23 defaultPools win over pools marked default:true', (t) => {
  const pools = poolSet({ ...v4a, default: true }, v4b, { ...v6a, default: true }, v6b);
  t.deepEqual(names(choosePools(pools, request({ defaultPools: { 4: ['v4-b'], 6: ['v6-b'] } }))), { 4: ['v4-b'], 6: ['v6-b'] });
});

test('U-IP-24 pools marked default:true are used last, sorted by name', (t) => {
  const pools = poolSet({ ...v4c, default: true }, v4b, { ...v4a, default: true });
  t.deepEqual(names(choosePools(pools, request())), { 4: ['v4-a', 'v4-c'] });
});

test('U-IP-25 each family picks its source independently: v4 from poolNames, v6 from default:true', (t) => {
  const pools = poolSet({ ...v4a, default: true }, v4b, { ...v6b, default: true }, v6a);
  t.deepEqual(names(choosePools(pools, request({ poolNames: ['v4-b'] }))), { 4: ['v4-b'], 6: ['v6-b'] });
  t.deepEqual(names(choosePools(pools, request({ requestedIps: [ip('fd00::15')] }))), { 4: ['v4-a'], 6: ['v6-a'] });
});

test('U-IP-26 a family no source names is absent from the choice (single-stack)', (t) => {
  const pools = poolSet(v4a, v6a);
  const choice = choosePools(pools, request({ poolNames: ['v6-a'] }));
  t.deepEqual(names(choice), { 6: ['v6-a'] });
  t.false(Object.hasOwn(choice, 4));
});

test('U-IP-27 an unknown pool name is code 101 naming the pool and where it was named', (t) => {
  const pools = poolSet(v4a);
  throwsCni(t, () => choosePools(pools, request({ poolNames: ['v4-a', 'nope'] })), 101, 'NICPOOL_IPPOOLS: pool "nope" does not exist');
  throwsCni(t, () => choosePools(pools, request({ defaultPools: { 6: ['gone'] } })), 101, 'ipam.defaultIPv6Pools: pool "gone" does not exist');
  throwsCni(t, () => choosePools(pools, request({ defaultPools: { 4: ['gone4'] } })), 101, 'ipam.defaultIPv4Pools: pool "gone4" does not exist');
});

test('U-IP-28 when every candidate is filtered out it is code 101 listing every pool with its reason', (t) => {
  const pools = poolSet(
    { ...v4a, disable: true },
    { ...v4b, multusName: ['other-net'] },
    { ...v4c, nodeAffinity: { matchLabels: { 'kubernetes.io/hostname': 'node-9' } } },
    { name: 'v4-d', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.40'], namespaceAffinity: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
    { name: 'v4-e', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.50'], podAffinity: { matchLabels: { app: 'db' } } },
  );
  throwsCni(t, () => choosePools(pools, request({ poolNames: ['v4-a', 'v4-b', 'v4-c', 'v4-d', 'v4-e'] })), 101,
    'no eligible pool: pool "v4-a": disabled; ' +
    'pool "v4-b": multusName ["other-net"] does not include network "net-a"; ' +
    'pool "v4-c": nodeAffinity does not match node "node-1"; ' +
    'pool "v4-d": namespaceAffinity does not match namespace "default"; ' +
    'pool "v4-e": podAffinity needs pod labels, which only the Kubernetes store has');
});

test('U-IP-29 filtering keeps the eligible pools in the order the user gave', (t) => {
  const pools = poolSet(v4a, { ...v4b, disable: true }, v4c);
  t.deepEqual(names(choosePools(pools, request({ poolNames: ['v4-c', 'v4-b', 'v4-a'] }))), { 4: ['v4-c', 'v4-a'] });
});

test('U-IP-30 the first non-empty source wins even if all its pools are filtered out (no fall-through)', (t) => {
  const pools = poolSet({ ...v4a, default: true }, { ...v4b, disable: true });
  throwsCni(t, () => choosePools(pools, request({ poolNames: ['v4-b'] })), 101, 'no eligible pool: pool "v4-b": disabled');
});

test('U-IP-31 a requested IP outside every pool is code 102 naming the address', (t) => {
  const pools = poolSet(v4a, v6a);
  throwsCni(t, () => choosePools(pools, request({ requestedIps: [ip('10.9.9.9')] })), 102,
    'runtimeConfig.ips: "10.9.9.9" is not allocatable from any pool');
  throwsCni(t, () => choosePools(pools, request({ requestedIps: [ip('FD00::0099')] })), 102,
    'runtimeConfig.ips: "fd00::99" is not allocatable from any pool');
});

test('U-IP-32 a requested IP that is a pool gateway, excluded or the network address is code 102', (t) => {
  const pools = poolSet({ name: 'p', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.0/24'], excludeIPs: ['10.0.0.1', '10.0.0.7'], gateway: '10.0.0.1' });
  for (const text of ['10.0.0.1', '10.0.0.7', '10.0.0.0', '10.0.0.255']) {
    throwsCni(t, () => choosePools(pools, request({ requestedIps: [ip(text)] })), 102, `runtimeConfig.ips: "${text}" is not allocatable from any pool`);
  }
});

test('U-IP-33 two requested IPs of the same family are code 7 naming the family and interface', (t) => {
  const pools = poolSet(v4a, v6a);
  throwsCni(t, () => choosePools(pools, request({ requestedIps: [ip('10.0.0.10'), ip('10.0.0.11')] })), 7,
    'runtimeConfig.ips: more than one IPv4 address requested for eth0');
  throwsCni(t, () => choosePools(pools, request({ requestedIps: [ip('fd00::10'), ip('10.0.0.10'), ip('fd00::11')], attachment: attachment({ ifname: 'net1' }) })), 7,
    'runtimeConfig.ips: more than one IPv6 address requested for net1');
  t.deepEqual(names(choosePools(pools, request({ requestedIps: [ip('fd00::10'), ip('10.0.0.10')] }))), { 4: ['v4-a'], 6: ['v6-a'] });
});

test('U-IP-34 no source at all is code 101 telling where to name pools', (t) => {
  const message = 'no pool for network "net-a": name pools in ipam.defaultIPv4Pools/defaultIPv6Pools, NICPOOL_IPPOOLS, or mark a pool "default": true';
  throwsCni(t, () => choosePools(poolSet(v4a, v6a), request()), 101, message);
  throwsCni(t, () => choosePools(new Map(), request()), 101, message);
});

test('U-IP-35 a requested IP in a filtered-out pool is code 101 with the filter reason', (t) => {
  const pools = poolSet({ ...v4a, multusName: ['other'] }, v4b);
  throwsCni(t, () => choosePools(pools, request({ requestedIps: [ip('10.0.0.12')], poolNames: ['v4-b'] })), 101,
    'no eligible pool: pool "v4-a": multusName ["other"] does not include network "net-a"');
});

test('U-IP-36 an IPv6 pool named in ipam.defaultIPv4Pools is code 7 naming the key and the pool', (t) => {
  const pools = poolSet(v4a, v6a);
  throwsCni(t, () => choosePools(pools, request({ defaultPools: { 4: ['v6-a'] } })), 7, /^ipam\.defaultIPv4Pools: .*"v6-a"/);
});

test('U-IP-37 an IPv4 pool named in ipam.defaultIPv6Pools is code 7 naming the key and the pool', (t) => {
  const pools = poolSet(v4a, v6a);
  throwsCni(t, () => choosePools(pools, request({ defaultPools: { 6: ['v4-a'] } })), 7, /^ipam\.defaultIPv6Pools: .*"v4-a"/);
});
