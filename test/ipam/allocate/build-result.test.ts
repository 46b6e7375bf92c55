import test from '../../support/test.ts';
import { buildIpamResult } from '../../../ipam/allocate/build-result.ts';
import { allocation, poolSet, throwsCni, type PoolOptions } from '../fixtures.ts';

const p4: PoolOptions = {
  name: 'p4', ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.20'], gateway: '10.0.0.1',
  routes: [{ dst: '10.8.0.0/16', gw: '10.0.0.254' }, { dst: '0.0.0.0/0', gw: '10.0.0.1' }],
};
const p6: PoolOptions = {
  name: 'p6', ipVersion: 6, subnet: 'fd00::/64', ips: ['fd00::10-fd00::20'],
  routes: [{ dst: 'fd08::/48', gw: 'fd00::1' }], dns: { nameservers: ['fd00::53'], search: ['v6.local'] },
};

test('U-IP-75 each address carries its pool\'s subnet prefix and gateway; pool routes follow in allocation order', (t) => {
  const pools = poolSet(p4, p6);
  const result = buildIpamResult([allocation({ ip: '10.0.0.10', pool: 'p4' }), allocation({ ip: 'fd00::10', pool: 'p6' })], pools);
  t.deepEqual(result, {
    cniVersion: '1.1.0',
    ips: [{ address: '10.0.0.10/24', gateway: '10.0.0.1' }, { address: 'fd00::10/64' }],
    routes: [{ dst: '10.8.0.0/16', gw: '10.0.0.254' }, { dst: '0.0.0.0/0', gw: '10.0.0.1' }, { dst: 'fd08::/48', gw: 'fd00::1' }],
    dns: { nameservers: ['fd00::53'], search: ['v6.local'] },
  });
  t.false(Object.hasOwn(result.ips?.[1] ?? {}, 'gateway'));
});

test('U-IP-76 dns comes from the first pool that has it; no pool with dns means no dns key', (t) => {
  const pools = poolSet({ ...p4, dns: { nameservers: ['10.0.0.53'] } }, p6);
  const both = buildIpamResult([allocation({ ip: 'fd00::10', pool: 'p6' }), allocation({ ip: '10.0.0.10', pool: 'p4' })], pools);
  t.deepEqual(both.dns, { nameservers: ['fd00::53'], search: ['v6.local'] });
  const v4first = buildIpamResult([allocation({ ip: '10.0.0.10', pool: 'p4' }), allocation({ ip: 'fd00::10', pool: 'p6' })], pools);
  t.deepEqual(v4first.dns, { nameservers: ['10.0.0.53'] });
  const none = buildIpamResult([allocation({ ip: '10.0.0.10', pool: 'p4' })], poolSet(p4));
  t.false(Object.hasOwn(none, 'dns'));
});

test('U-IP-77 a pool without routes adds none; no allocations give empty ips and routes', (t) => {
  const pools = poolSet({ name: 'bare', ipVersion: 4, subnet: '10.0.0.0/31', ips: ['10.0.0.0/31'] });
  t.deepEqual(buildIpamResult([allocation({ ip: '10.0.0.1', pool: 'bare' })], pools), {
    cniVersion: '1.1.0', ips: [{ address: '10.0.0.1/31' }], routes: [],
  });
  t.deepEqual(buildIpamResult([], pools), { cniVersion: '1.1.0', ips: [], routes: [] });
});

test('U-IP-78 an allocation whose pool no longer exists is code 7 naming the pool and the address', (t) => {
  throwsCni(t, () => buildIpamResult([allocation({ ip: '10.0.0.10', pool: 'p4' }), allocation({ ip: '10.9.0.5', pool: 'gone' })], poolSet(p4)), 7,
    'pool "gone" of 10.9.0.5 no longer exists; release the attachment first');
});
