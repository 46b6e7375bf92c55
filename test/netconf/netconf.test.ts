import test from '../support/test.ts';
import { ConfList, PluginConf } from '../../netconf/netconf.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

test('U-NC-84 PluginConf keeps keys of other plugins in the chain (loose) and parses prevResult', (t) => {
  const input = {
    cniVersion: '1.1.0', name: 'macvlan-a', type: 'nicpool-ipam', master: 'ens192',
    ipam: { type: 'nicpool-ipam', poolFile: '/x' },
    prevResult: { cniVersion: '1.1.0', interfaces: [{ name: 'net1', sandbox: '/p' }], ips: [{ address: '10.0.0.5/24', interface: 0 }] },
    runtimeConfig: { ips: ['10.0.0.5/24'], mac: '02:00:00:00:00:01', portMappings: [] },
    'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'net1', extra: true }],
  };
  t.deepEqual(parseOrThrow(PluginConf, input), input);
});

test('U-NC-85 PluginConf needs cniVersion and a non-empty name and type', (t) => {
  throwsCni(t, () => parseOrThrow(PluginConf, { cniVersion: '1.1.0', name: '', type: 'x' }), 7, 'name: "" is empty');
  throwsCni(t, () => parseOrThrow(PluginConf, { name: 'n', type: 'x' }), 7, 'cniVersion: missing, invalid input: expected string, received undefined');
});

test('U-NC-86 ConfList needs at least one plugin', (t) => {
  throwsCni(t, () => parseOrThrow(ConfList, { cniVersion: '1.1.0', name: 'n', plugins: [] }), 7,
    'plugins: too small: expected array to have >=1 items, got []');
});
