// A small node for IPAM chain tests: a "node" netns holding a veth whose end `m0` is the
// macvlan master, pod netns on demand, a temp dir with the pool file and the local store.
// Plugins run inside the node netns (as a runtime on that node would).
import path from 'node:path';
import { ipIn, Lab, randomSuffix, type Netns } from './netns.ts';
import { repoRoot, runChain, type ChainOutcome, type ChainCommand } from './cni-runner.ts';
import { execPlugin, type ExecPluginResult } from './exec-plugin.ts';
import type { StoreState } from '../../netconf/store-state.ts';
import { openLocalStore } from '../../ipam/store/local/local-store.ts';
import { writePoolFile } from './pool-file.ts';

export const ipamPlugin = path.join(repoRoot, 'dist', 'plugins', 'nicpool-ipam');

export interface PoolInput {
  name: string;
  spec: Record<string, unknown>;
}

export interface IpamNode {
  lab: Lab;
  node: Netns;
  dir: string;
  dataDir: string;
  poolFile: string;
  cacheDir: string;
  network: string;
  conflist(cniVersion?: string, ipamExtra?: Record<string, unknown>, pluginExtra?: Record<string, unknown>): object;
  ipamConf(cniVersion?: string, ipamExtra?: Record<string, unknown>): Record<string, unknown>;
  pod(): Promise<Netns>;
  chain(command: ChainCommand, opts: ChainCall): Promise<ChainOutcome>;
  ipam(command: string, opts: { containerID?: string; netns?: string; ifname?: string; args?: string; stdin: object }): Promise<ExecPluginResult>;
  store(): Promise<StoreState>;
}

export interface ChainCall {
  containerID: string;
  netns: string;
  ifname?: string;
  args?: ReadonlyArray<readonly [string, string]>;
  capabilityArgs?: Record<string, unknown>;
  conflist?: object;
}

export async function createIpamNode(lab: Lab, pools: PoolInput[]): Promise<IpamNode> {
  const node = await lab.netns('node');
  await lab.veth('m0', node.name, 'p0', node.name);
  await ipIn(node.name, ['link', 'set', 'm0', 'up']);
  await ipIn(node.name, ['link', 'set', 'p0', 'up']);
  const dir = await lab.tmpDir('ipam');
  const poolFile = path.join(dir, 'pools.json');
  await writePoolFile(poolFile, pools);
  const dataDir = path.join(dir, 'store');
  const cacheDir = path.join(dir, 'cache');
  const network = `net-${randomSuffix(4)}`;
  const ipamBlock = (extra: Record<string, unknown> = {}) => ({ type: 'nicpool-ipam', poolFile, dataDir, ...extra });
  const conflist = (cniVersion = '1.0.0', ipamExtra = {}, pluginExtra = {}) => ({
    cniVersion,
    name: network,
    plugins: [{ type: 'macvlan', master: 'm0', mode: 'bridge', ipam: ipamBlock(ipamExtra), ...pluginExtra }],
  });
  return {
    lab,
    node,
    dir,
    dataDir,
    poolFile,
    cacheDir,
    network,
    conflist,
    ipamConf: (cniVersion = '1.1.0', ipamExtra = {}) => ({ cniVersion, name: network, type: 'macvlan', ipam: ipamBlock(ipamExtra) }),
    pod: () => lab.netns('pod'),
    chain(command, opts) {
      return runChain(command, {
        conflist: opts.conflist ?? conflist(),
        containerID: opts.containerID,
        netns: opts.netns,
        ifname: opts.ifname ?? 'eth0',
        ...(opts.args && { args: opts.args }),
        ...(opts.capabilityArgs && { capabilityArgs: opts.capabilityArgs }),
        cacheDir,
        runnerNetns: node.name,
      });
    },
    ipam(command, opts) {
      return execPlugin(ipamPlugin, { command, ...opts, runnerNetns: node.name });
    },
    store: () => openLocalStore(dataDir, 0).read(),
  };
}

/** The ips[].address values of a CNI result, without prefix. */
export function resultAddresses(result: unknown): string[] {
  const ips = (result as { ips?: Array<{ address: string }> }).ips ?? [];
  return ips.map((ip) => ip.address.split('/')[0] ?? '');
}
