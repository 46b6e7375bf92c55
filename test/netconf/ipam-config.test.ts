import test from '../support/test.ts';
import { IpamConfig } from '../../netconf/ipam-config.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

function parseIpam(input: Record<string, unknown>) {
  return parseOrThrow(IpamConfig, input, { root: 'ipam' });
}

test('U-NC-79 IpamConfig keeps given values and inline pools', (t) => {
  const pool = { metadata: { name: 'a' }, spec: { ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10'] } };
  t.deepEqual(parseIpam({
    type: 'nicpool-ipam', store: 'local', poolFile: '/etc/p.yaml', dataDir: '/tmp/d', pools: [pool],
    defaultIPv4Pools: ['a'], defaultIPv6Pools: ['b.c-1'], nodeName: 'n1', lockTimeoutMs: 600000,
  }), {
    type: 'nicpool-ipam', store: 'local', poolFile: '/etc/p.yaml', dataDir: '/tmp/d', pools: [pool],
    defaultIPv4Pools: ['a'], defaultIPv6Pools: ['b.c-1'], nodeName: 'n1', lockTimeoutMs: 600000, agentWaitMs: 10000,
  });
});

test('U-NC-80 IpamConfig rejects another store, a relative poolFile and a bad default pool name (code 7)', (t) => {
  throwsCni(t, () => parseIpam({ type: 'nicpool-ipam', store: 'etcd' }), 7, 'ipam.store: invalid option: expected one of "local"|"kubernetes", got "etcd"');
  throwsCni(t, () => parseIpam({ type: 'nicpool-ipam', poolFile: 'pools.json' }), 7, 'ipam.poolFile: "pools.json" must be an absolute path');
  throwsCni(t, () => parseIpam({ type: 'nicpool-ipam', defaultIPv4Pools: ['Pool_A'] }), 7,
    'ipam.defaultIPv4Pools[0]: "Pool_A" is not a valid Kubernetes object name');
});

test('U-NC-81 lockTimeoutMs must be a positive integer up to 600000', (t) => {
  throwsCni(t, () => parseIpam({ type: 'nicpool-ipam', lockTimeoutMs: 0 }), 7, 'ipam.lockTimeoutMs: too small: expected number to be >0, got 0');
  throwsCni(t, () => parseIpam({ type: 'nicpool-ipam', lockTimeoutMs: 600001 }), 7, 'ipam.lockTimeoutMs: too big: expected number to be <=600000, got 600001');
  throwsCni(t, () => parseIpam({ type: 'nicpool-ipam', lockTimeoutMs: 1.5 }), 7, 'ipam.lockTimeoutMs: invalid input: expected int, received number, got 1.5');
});
