import test from '../../support/test.ts';
import type { CniEnv } from '../../../netconf/env.ts';
import type { PluginConf } from '../../../netconf/netconf.ts';
import { coordinatorSetup } from '../../../routing/coordinator/coordinator-setup.ts';
import { throwsCni } from '../../netconf/cni-assert.ts';

const env: CniEnv = { command: 'ADD', containerId: 'c1', netns: '/var/run/netns/x', ifname: 'net1', args: '', path: [] };
const conf = (extra: Record<string, unknown> = {}): PluginConf => ({
  cniVersion: '1.0.0', name: 'underlay', type: 'nicpool-coordinator',
  prevResult: { ips: [{ address: '10.20.0.5/24', gateway: '10.20.0.1' }] },
  ...extra,
});
const setup = (extra: Record<string, unknown> = {}) => coordinatorSetup({ conf: conf(extra), env, args: {} });

test('U-RT-75 nodeTable 0, 253, 254 and 255 are code 7 naming the key (DEL would remove or leave a rule of a kernel table)', (t) => {
  for (const table of [253, 254, 255]) {
    throwsCni(t, () => setup({ nodeTable: table }), 7, `nodeTable: ${table} is a table the kernel reserves (253 default, 254 main, 255 local)`);
  }
  throwsCni(t, () => setup({ nodeTable: 0 }), 7, /^nodeTable: too small/);
  t.is(setup({ nodeTable: 252 }).plan([]).nodeTable, 252);
  t.is(setup({ nodeTable: 256 }).plan([]).nodeTable, 256);
});

test('U-RT-76 a one-byte or multicast macPrefix is code 7 naming the key; two even-first bytes pass', (t) => {
  throwsCni(t, () => setup({ macPrefix: '0e' }), 7, 'macPrefix: "0e" is not two MAC bytes such as "0e:01"');
  throwsCni(t, () => setup({ macPrefix: '01:00' }), 7, 'macPrefix: "01:00" is a multicast prefix (the first byte is odd); use an even first byte such as "0e"');
  throwsCni(t, () => setup({ macPrefix: 'ff:ff' }), 7, /^macPrefix: "ff:ff" is a multicast prefix/);
  t.is(setup({ macPrefix: '0e:01' }).config.macPrefix, '0e:01');
});

test('U-RT-77 podVethName equal to the NIC (CNI_IFNAME) or lo is code 7 naming the key', (t) => {
  throwsCni(t, () => setup({ podVethName: 'net1' }), 7, 'podVethName: "net1" is the NIC this chain configures (CNI_IFNAME); the veth to the node needs a name of its own');
  throwsCni(t, () => setup({ podVethName: 'lo' }), 7, 'podVethName: "lo" is the loopback device; the veth to the node needs a name of its own');
  t.is(setup({ podVethName: 'eth0' }).plan([]).podVeth, 'eth0');
});

test('U-RT-78 a malformed prevResult is code 7 naming the key in the coordinator too', (t) => {
  throwsCni(t, () => setup({ prevResult: { ips: [{ address: '10.20.0.5' }] } }), 7, /^prevResult\.ips\[0\]\.address: "10\.20\.0\.5" is not/);
  throwsCni(t, () => setup({ prevResult: { ips: [{ address: '10.20.0.5/24', gateway: '10.20.0.5' }] } }), 7, 'prevResult.ips[0].gateway: "10.20.0.5" is an address of the result itself, not a gateway');
});
