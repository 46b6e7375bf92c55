import type { CniArgs } from '../../netconf/cni-args.ts';
import { CoordinatorConfig } from '../../netconf/coordinator-config.ts';
import type { CniEnv } from '../../netconf/env.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatCidr, parseCidr, type IpFamily } from '../../netconf/ip/index.ts';
import type { IpLink } from '../../netconf/iproute.ts';
import type { PluginConf } from '../../netconf/netconf.ts';
import { parseOrThrow, showValue } from '../../netconf/parse.ts';
import { CheckedCniResult } from '../../netconf/result.ts';
import type { CoordinatorPlanInput } from '../plan/coordinator-plan.ts';
import { nicFromResult, type NicAddress } from '../plan/nic-addresses.ts';
import { chooseHostVeth, vethMac } from '../plan/veth-identity.ts';

export interface CoordinatorInvocation {
  conf: PluginConf;
  env: CniEnv;
  args: CniArgs;
}

export interface CoordinatorSetup {
  config: CoordinatorConfig;
  containerID: string;
  ifname: string;
  netns: string | undefined;
  addresses: NicAddress[];
  /** Everything the plan needs but the node's own addresses (read from the node at ADD). */
  plan: (nodeLinks: IpLink[]) => CoordinatorPlanInput;
}

export function coordinatorSetup(inv: CoordinatorInvocation): CoordinatorSetup {
  const config = parseOrThrow(CoordinatorConfig, inv.conf);
  const containerID = inv.env.containerId ?? '';
  const ifname = inv.env.ifname ?? '';
  // The veth must be a new link of its own: the NIC or lo under its name would be taken over.
  if (config.podVethName === 'lo' || config.podVethName === ifname) {
    const what = config.podVethName === 'lo' ? 'the loopback device' : 'the NIC this chain configures (CNI_IFNAME)';
    throw new CniError(CniCode.InvalidConfig, `podVethName: ${showValue(config.podVethName)} is ${what}; the veth to the node needs a name of its own`);
  }
  const prevResult = inv.conf.prevResult === undefined ? {} : parseOrThrow(CheckedCniResult, inv.conf.prevResult, { root: 'prevResult' });
  const addresses = nicFromResult(prevResult, ifname, {}).addresses;
  const configured = [
    ...cidrs(config.serviceCidrs, 'serviceCidrs'),
    ...cidrs(config.clusterCidrs, 'clusterCidrs'),
    ...cidrs(config.hijackCidrs, 'hijackCidrs'),
  ];
  const base = {
    podVeth: config.podVethName,
    podMac: vethMac(containerID, 'pod'),
    hostMac: vethMac(containerID, 'host'),
    addresses,
    hijackPriority: config.hijackPriority,
    nodeTable: config.nodeTable,
    nodeRulePriority: config.nodeRulePriority,
  };
  return {
    config, containerID, ifname, netns: inv.env.netns, addresses,
    plan: (nodeLinks) => ({ ...base, hostVeth: hostVethOf(containerID, nodeLinks), hijack: dedupe([...nodeAddresses(nodeLinks), ...configured]) }),
  };
}

/** The node end of the pod's veth: its own (by alias), else a free name (a name of another pod is never taken). */
function hostVethOf(containerID: string, nodeLinks: IpLink[]): string {
  const name = chooseHostVeth(containerID, nodeLinks);
  if (name === undefined) throw new CniError(CniCode.TryAgainLater, `CNI_CONTAINERID: every node-side veth name of ${JSON.stringify(containerID.slice(0, 64))} is taken by other links`);
  return name;
}

function cidrs(entries: string[], key: string): Array<{ family: IpFamily; cidr: string }> {
  return entries.map((entry, index) => {
    const cidr = parseCidr(entry);
    if (cidr === undefined) throw new CniError(CniCode.InvalidConfig, `${key}[${index}]: ${JSON.stringify(entry)} is not a CIDR`);
    return { family: cidr.family, cidr: formatCidr(cidr) };
  });
}

/**
 * The node's own addresses (global scope), as /32 and /128: a macvlan pod cannot reach its
 * parent's addresses directly. Pod-facing veths of ours ("np…") are not the node's.
 */
function nodeAddresses(links: IpLink[]): Array<{ family: IpFamily; cidr: string }> {
  return links
    .filter((link) => !/^np[0-9a-f]{8}$/.test(link.ifname))
    .flatMap((link) => link.addr_info ?? [])
    .filter((info) => info.scope === 'global')
    .map((info) => {
      const family: IpFamily = info.family === 'inet6' ? 6 : 4;
      return { family, cidr: `${info.local}/${family === 4 ? 32 : 128}` };
    });
}

function dedupe(entries: Array<{ family: IpFamily; cidr: string }>): Array<{ family: IpFamily; cidr: string }> {
  return entries.filter((entry, index) => entries.findIndex((other) => other.cidr === entry.cidr) === index);
}
