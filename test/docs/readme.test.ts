// The README's examples are run, not just shown: the pool file and the conflist go through the
// real plugin binary.
import test from '../support/test.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execPlugin } from '../support/exec-plugin.ts';
import { ipamPlugin } from '../support/ipam-lab.ts';
import { CoordinatorConfig } from '../../netconf/coordinator-config.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { RouterConfig } from '../../netconf/router-config.ts';

async function readmeBlock(info: string): Promise<unknown> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const match = readme.match(new RegExp('```' + info + '\\n([\\s\\S]*?)```'));
  if (!match?.[1]) throw new Error(`README has no \`\`\`${info} block`);
  return JSON.parse(match[1]);
}

test('D-01 the README conflist and pool file allocate through nicpool-ipam as documented', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-readme-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const poolFile = path.join(dir, 'pools.json');
  await writeFile(poolFile, JSON.stringify(await readmeBlock('json pool-file')));
  const conflist = (await readmeBlock('json ipam-conflist')) as { cniVersion: string; name: string; plugins: Array<Record<string, unknown> & { ipam: Record<string, unknown> }> };
  const plugin = conflist.plugins[0]!;
  const conf = { ...plugin, cniVersion: conflist.cniVersion, name: conflist.name, ipam: { ...plugin.ipam, poolFile, dataDir: path.join(dir, 'store') } };
  const added = await execPlugin(ipamPlugin, { command: 'ADD', containerID: 'readme', netns: '/var/run/netns/readme', ifname: 'eth0', stdin: conf });
  t.is(added.exitCode, 0, added.stdout + added.stderr);
  t.deepEqual(added.json, {
    cniVersion: '1.0.0',
    ips: [{ address: '10.6.0.10/24', gateway: '10.6.0.1' }, { address: 'fd00:6::10/64' }],
    routes: [{ dst: '10.96.0.0/12', gw: '10.6.0.1' }],
  });
});

test('D-02 the README error example is the message the plugin prints', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-readme-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pools = [{ metadata: { name: 'p' }, spec: { ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10', '10.0.0.300'] } }];
  const conf = { cniVersion: '1.0.0', name: 'n', type: 'macvlan', ipam: { type: 'nicpool-ipam', pools, poolFile: path.join(dir, 'none.json'), dataDir: dir } };
  const added = await execPlugin(ipamPlugin, { command: 'ADD', containerID: 'readme', netns: '/var/run/netns/readme', ifname: 'eth0', stdin: conf });
  const msg = (added.json as { msg: string }).msg;
  t.is(msg, 'ipam.pools[0].spec.ips[1]: "10.0.0.300" is not an IPv4 or IPv6 address, range "a-b" or CIDR');
  t.true(readme.includes('`' + msg + '`'));
});

test('D-04 the README router and coordinator configurations are accepted as documented', async (t) => {
  const base = { cniVersion: '1.0.0', name: 'underlay-b' };
  const router = parseOrThrow(RouterConfig, { ...base, ...((await readmeBlock('json router-conf')) as object) });
  t.like(router, { defaultRouteNic: 'eth0', tableBase: 100, rulePriority: 1000 });
  const coordinator = parseOrThrow(CoordinatorConfig, { ...base, ...((await readmeBlock('json coordinator-conf')) as object) });
  t.like(coordinator, { serviceCidrs: ['10.96.0.0/12'], clusterCidrs: ['10.244.0.0/16'], detectIPConflict: true, detectGateway: true, podVethName: 'veth-node', announce: true });
});
