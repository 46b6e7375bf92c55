import type { CniArgs } from '../../netconf/cni-args.ts';
import type { CniEnv } from '../../netconf/env.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatIp, parseIp, type IpFamily } from '../../netconf/ip/index.ts';
import { InterfaceName } from '../../netconf/names.ts';
import type { PluginConf } from '../../netconf/netconf.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { CheckedCniResult } from '../../netconf/result.ts';
import { RouterConfig } from '../../netconf/router-config.ts';
import type { RoutingState } from '../plan/model.ts';
import { nicFromResult } from '../plan/nic-addresses.ts';
import { planRouter } from '../plan/router-plan.ts';
import { tableFor } from '../plan/table-for.ts';

export interface RouterInvocation {
  conf: PluginConf;
  env: CniEnv;
  args: CniArgs;
}

/** Everything the router's verbs share: which NIC, its table and priority, and the plan. */
export interface RouterSetup {
  ifname: string;
  netns: string | undefined;
  table: number;
  rulePriority: number;
  isDefaultRouteNic: boolean;
  plan: RoutingState;
  families: IpFamily[];
}

export function routerConfigOf(inv: RouterInvocation): RouterConfig {
  return parseOrThrow(RouterConfig, inv.conf);
}

/**
 * `podDefaultRouteNic` is the pod's annotation, as the agent reported it. The runtime's word
 * (CNI_ARGS, runtimeConfig) comes first, then the pod's, then the netconf's, then eth0.
 */
export function routerSetup(inv: RouterInvocation, podDefaultRouteNic?: string): RouterSetup {
  const config = routerConfigOf(inv);
  const ifname = inv.env.ifname ?? '';
  const chosen = inv.args.NICPOOL_DEFAULT_ROUTE_NIC ?? inv.conf.runtimeConfig?.defaultRouteNic ?? podDefaultRouteNic ?? config.defaultRouteNic ?? 'eth0';
  const defaultRouteNic = parseOrThrow(InterfaceName, chosen, { root: 'defaultRouteNic' });
  const gateways = {
    ...(config.gateways?.ipv4 !== undefined && { 4: gateway(config.gateways.ipv4, 4) }),
    ...(config.gateways?.ipv6 !== undefined && { 6: gateway(config.gateways.ipv6, 6) }),
  };
  const prevResult = inv.conf.prevResult === undefined ? {} : parseOrThrow(CheckedCniResult, inv.conf.prevResult, { root: 'prevResult' });
  const nic = nicFromResult(prevResult, ifname, gateways);
  const table = tableFor(ifname, config.tableBase);
  const isDefaultRouteNic = ifname === defaultRouteNic;
  const plan = planRouter({ ifname, nic, isDefaultRouteNic, table, rulePriority: config.rulePriority });
  const families = ([4, 6] as const).filter((family) => nic.addresses.some((address) => address.family === family));
  return { ifname, netns: inv.env.netns, table, rulePriority: config.rulePriority, isDefaultRouteNic, plan, families };
}

function gateway(text: string, family: IpFamily): string {
  const ip = parseIp(text);
  if (ip?.family !== family) throw new CniError(CniCode.InvalidConfig, `gateways.ipv${family}: ${JSON.stringify(text)} is not an IPv${family} address`);
  return formatIp(ip);
}
