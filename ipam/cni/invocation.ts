import { hostname } from 'node:os';
import type { CniArgs } from '../../netconf/cni-args.ts';
import { splitList } from '../../netconf/cni-args.ts';
import type { CniEnv } from '../../netconf/env.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { parseIp, parseIpWithPrefix, type IpAddress } from '../../netconf/ip/index.ts';
import { IpamConfig } from '../../netconf/ipam-config.ts';
import type { PluginConf } from '../../netconf/netconf.ts';
import { parseOrThrow, showValue } from '../../netconf/parse.ts';
import type { AddRequest, Attachment } from '../allocate/attachment.ts';

/** One parsed plugin invocation: what every IPAM verb starts from, in-process or in the plugin. */
export interface IpamInvocation {
  conf: PluginConf;
  env: CniEnv;
  args: CniArgs;
}

export function ipamConfigOf(inv: IpamInvocation): IpamConfig {
  return parseOrThrow(IpamConfig, inv.conf.ipam, { root: 'ipam' });
}

/** Why a netconf for the other store is refused, by the store that refuses it. */
const storeMismatch = {
  local: (asked: string) => `ipam.store: ${JSON.stringify(asked)} is served by a nicpool-agent started with --store kubernetes; this one runs the local store`,
  kubernetes: (asked: string) => `ipam.store: ${JSON.stringify(asked)} is not served by this nicpool-agent, which runs the Kubernetes store (set "store": "kubernetes")`,
} as const;

/** The ipam block of a verb served on `store`; a netconf for the other store is code 7. */
export function ipamConfigFor(inv: IpamInvocation, store: IpamConfig['store']): IpamConfig {
  const config = ipamConfigOf(inv);
  if (config.store !== store) throw new CniError(CniCode.InvalidConfig, storeMismatch[store](config.store));
  return config;
}

export function attachmentOf(inv: IpamInvocation): Attachment {
  const { K8S_POD_NAMESPACE: namespace, K8S_POD_NAME: name, K8S_POD_UID: uid } = inv.args;
  return {
    containerID: required(inv.env.containerId, 'CNI_CONTAINERID'),
    ifname: required(inv.env.ifname, 'CNI_IFNAME'),
    network: inv.conf.name,
    pod: namespace && name ? { namespace, name, uid } : undefined,
  };
}

export function addRequestOf(inv: IpamInvocation, config: IpamConfig): AddRequest {
  const requested = [
    ...(inv.conf.runtimeConfig?.ips ?? []).map((text, i) => requestedIp(text, `runtimeConfig.ips[${i}]`)),
    ...(inv.conf.args?.cni?.ips ?? []).map((text, i) => requestedIp(text, `args.cni.ips[${i}]`)),
    ...splitList(inv.args.IP).map((text) => requestedIp(text, 'CNI_ARGS IP')),
  ];
  return {
    attachment: attachmentOf(inv),
    requestedIps: dedupe(requested),
    poolNames: [...splitList(inv.args.NICPOOL_IPPOOLS), ...(inv.conf.args?.cni?.ippools ?? [])],
    defaultPools: { 4: config.defaultIPv4Pools ?? [], 6: config.defaultIPv6Pools ?? [] },
    nodeName: nodeNameOf(config),
  };
}

export function nodeNameOf(config: IpamConfig): string {
  return config.nodeName ?? hostname();
}

/**
 * Requests carry "10.0.0.5" or "10.0.0.5/24"; the pool decides the prefix of the result, but a
 * prefix that is written must be one (not "/99", not "/abc"), or a typo would pass unseen.
 */
function requestedIp(text: string, source: string): IpAddress {
  const ip = text.includes('/') ? parseIpWithPrefix(text)?.address : parseIp(text);
  if (ip === undefined) throw new CniError(CniCode.InvalidConfig, `${source}: ${showValue(text)} is not an IPv4 or IPv6 address, with or without a valid prefix`);
  return ip;
}

function dedupe(ips: IpAddress[]): IpAddress[] {
  return ips.filter((ip, i) => ips.findIndex((other) => other.family === ip.family && other.value === ip.value) === i);
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new CniError(CniCode.InvalidEnv, `${name} is required`);
  return value;
}
