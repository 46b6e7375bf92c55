import test from '../support/test.ts';
import { CniResult, resultForVersion } from '../../netconf/result.ts';
import type { CniVersion } from '../../netconf/version.ts';

/** A 1.1.0 result using every 1.1.0 extra: interface mtu/socketPath/pciID, route mtu/advmss/priority/table/scope. */
function full(): CniResult {
  return {
    cniVersion: '1.1.0',
    interfaces: [{ name: 'net1', mac: '02:00:00:00:00:01', mtu: 1500, sandbox: '/var/run/netns/p', socketPath: '/run/vhost.sock', pciID: '0000:3b:00.1' }],
    ips: [
      { address: '10.6.0.10/24', gateway: '10.6.0.1', interface: 0 },
      { address: 'fd00::10/64', gateway: 'fd00::1', interface: 0 },
    ],
    routes: [{ dst: '0.0.0.0/0', gw: '10.6.0.1', mtu: 1400, advmss: 1360, priority: 100, table: 101, scope: 0 }],
    dns: { nameservers: ['10.6.0.2'], search: ['svc.local'] },
  };
}

const stripped = {
  interfaces: [{ name: 'net1', mac: '02:00:00:00:00:01', sandbox: '/var/run/netns/p' }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.6.0.1' }],
  dns: { nameservers: ['10.6.0.2'], search: ['svc.local'] },
};

test('U-NC-50 0.3.0, 0.3.1 and 0.4.0 results get ips[].version "4"/"6" and lose the 1.1.0 route and interface extras', (t) => {
  for (const version of ['0.3.0', '0.3.1', '0.4.0'] as const) {
    t.deepEqual(resultForVersion(full(), version), {
      cniVersion: version,
      ...stripped,
      ips: [
        { address: '10.6.0.10/24', gateway: '10.6.0.1', interface: 0, version: '4' },
        { address: 'fd00::10/64', gateway: 'fd00::1', interface: 0, version: '6' },
      ],
    }, version);
  }
});

test('U-NC-51 an IPv4-mapped IPv6 address gets version "6" in a 0.4.0 result', (t) => {
  const out = resultForVersion({ ips: [{ address: '::ffff:10.0.0.1/128' }] }, '0.4.0');
  t.deepEqual(out.ips, [{ address: '::ffff:10.0.0.1/128', version: '6' }]);
});

test('U-NC-52 a 1.0.0 result has no ips[].version (even one carried in) and drops the 1.1.0 extras', (t) => {
  const input = full();
  input.ips = [{ address: '10.6.0.10/24', gateway: '10.6.0.1', interface: 0, version: '4' }, { address: 'fd00::10/64', version: '6' }];
  t.deepEqual(resultForVersion(input, '1.0.0'), {
    cniVersion: '1.0.0',
    ...stripped,
    ips: [{ address: '10.6.0.10/24', gateway: '10.6.0.1', interface: 0 }, { address: 'fd00::10/64' }],
  });
});

test('U-NC-53 a 1.1.0 result keeps every route and interface extra', (t) => {
  const input = { ...full(), cniVersion: '1.0.0' };
  t.deepEqual(resultForVersion(input, '1.1.0'), full());
});

test('U-NC-54 unknown keys of a loose prevResult pass through at every level, for old and new versions', (t) => {
  const prev = CniResult.parse({
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0', vendor: 'x' }],
    ips: [{ address: '10.0.0.5/24', label: 'primary' }],
    routes: [{ dst: '10.1.0.0/16', onlink: true, mtu: 9000 }],
    custom: { nested: [1, 2] },
  });
  t.deepEqual(resultForVersion(prev, '0.4.0'), {
    cniVersion: '0.4.0',
    interfaces: [{ name: 'eth0', vendor: 'x' }],
    ips: [{ address: '10.0.0.5/24', label: 'primary', version: '4' }],
    routes: [{ dst: '10.1.0.0/16', onlink: true }],
    custom: { nested: [1, 2] },
  });
  t.deepEqual(resultForVersion(prev, '1.1.0'), {
    cniVersion: '1.1.0',
    interfaces: [{ name: 'eth0', vendor: 'x' }],
    ips: [{ address: '10.0.0.5/24', label: 'primary' }],
    routes: [{ dst: '10.1.0.0/16', onlink: true, mtu: 9000 }],
    custom: { nested: [1, 2] },
  });
});

test('U-NC-55 a result without interfaces, ips or routes gains none of them', (t) => {
  for (const version of ['0.3.1', '1.0.0', '1.1.0'] as const satisfies readonly CniVersion[]) {
    t.deepEqual(resultForVersion({ cniVersion: '1.1.0', dns: {} }, version), { cniVersion: version, dns: {} });
  }
});

test('U-NC-56 resultForVersion does not mutate its input', (t) => {
  const input = full();
  const snapshot = structuredClone(input);
  resultForVersion(input, '0.3.1');
  resultForVersion(input, '1.0.0');
  t.deepEqual(input, snapshot);
});
