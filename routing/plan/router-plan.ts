import { cidrContains, parseCidr, parseIp } from '../../netconf/ip/index.ts';
import type { RoutingState, RouteSpec, RuleSpec } from './model.ts';
import type { NicView } from './nic-addresses.ts';

export interface RouterPlanInput {
  ifname: string;
  nic: NicView;
  isDefaultRouteNic: boolean;
  table: number;
  rulePriority: number;
}

/**
 * What one pod NIC needs so a reply leaves where its request came in (design §6):
 * - the default-route NIC: its default route(s) in `main`;
 * - any other NIC: table T holding its subnet, a default via its gateway and its pool routes,
 *   and `from <ip> lookup T` for each of its addresses. Unsourced traffic keeps using `main`.
 */
export function planRouter(input: RouterPlanInput): RoutingState {
  const { ifname, nic, table } = input;
  const routes: RouteSpec[] = [];
  const rules: RuleSpec[] = [];
  for (const address of nic.addresses) {
    const family = address.family;
    const defaultDst = family === 4 ? '0.0.0.0/0' : '::/0';
    if (input.isDefaultRouteNic) {
      if (address.gateway) routes.push({ family, table: 'main', dst: defaultDst, dev: ifname, ...via(address.gateway, address.subnet) });
      continue;
    }
    routes.push({ family, table, dst: address.subnet, dev: ifname, scope: 'link', src: address.ip });
    if (address.gateway) routes.push({ family, table, dst: defaultDst, dev: ifname, ...via(address.gateway, address.subnet) });
    for (const route of nic.routes.filter((r) => r.family === family)) {
      routes.push({ family, table, dst: route.dst, dev: ifname, ...(route.via && via(route.via, address.subnet)) });
    }
    rules.push({ family, priority: input.rulePriority, from: `${address.ip}/${family === 4 ? 32 : 128}`, table });
  }
  return { routes: dedupe(routes, (r) => `${r.family} ${r.table} ${r.dst}`), rules, neighbors: [] };
}

/** A next hop; `onlink` when it lies outside the NIC's subnet (a /32 address, a remote gateway). */
function via(gateway: string, subnet: string): { via: string; onlink?: true } {
  const cidr = parseCidr(subnet);
  const ip = parseIp(gateway);
  return cidr && ip && cidrContains(cidr, ip) ? { via: gateway } : { via: gateway, onlink: true };
}

function dedupe<T>(values: T[], key: (value: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    if (seen.has(key(value))) return false;
    seen.add(key(value));
    return true;
  });
}
