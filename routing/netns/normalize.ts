import { canonicalIp, formatCidr, parseCidr, type IpFamily } from '../../netconf/ip/index.ts';
import type { IpNeighbor, IpRoute, IpRule } from '../../netconf/iproute.ts';
import type { NeighborSpec, RouteSpec, RuleSpec, Table } from '../plan/model.ts';

// `ip -j` output → the planner's model, so planned and actual entries compare as equal.

const full = (family: IpFamily) => (family === 4 ? 32 : 128);

export function cidrText(family: IpFamily, dst: string, length?: number): string | undefined {
  if (dst === 'default') return family === 4 ? '0.0.0.0/0' : '::/0';
  const cidr = parseCidr(dst.includes('/') ? dst : `${dst}/${length ?? full(family)}`);
  return cidr && cidr.family === family ? formatCidr(cidr) : undefined;
}

function tableOf(table: string | undefined): Table | undefined {
  if (table === undefined || table === 'main') return 'main';
  const n = Number(table);
  return Number.isInteger(n) ? n : undefined; // local, default: never ours
}

export function routeFromIp(family: IpFamily, route: IpRoute): RouteSpec | undefined {
  const table = tableOf(route.table);
  const dst = cidrText(family, route.dst);
  if (table === undefined || dst === undefined || route.dev === undefined || (route.type !== undefined && route.type !== 'unicast')) return undefined;
  return {
    family,
    table,
    dst,
    dev: route.dev,
    ...(route.gateway && { via: canonicalIp(route.gateway) ?? route.gateway }),
    ...(route.flags?.includes('onlink') && { onlink: true }),
  };
}

export function ruleFromIp(family: IpFamily, rule: IpRule): RuleSpec | undefined {
  // No table: a blackhole/unreachable/goto rule, never one of ours.
  const table = rule.table === undefined ? undefined : tableOf(rule.table);
  if (table === undefined) return undefined;
  const from = rule.src === undefined || rule.src === 'all' ? undefined : cidrText(family, rule.src, rule.srclen);
  const to = rule.dst === undefined || rule.dst === 'all' ? undefined : cidrText(family, rule.dst, rule.dstlen);
  return { family, priority: rule.priority, table, ...(from && { from }), ...(to && { to }) };
}

export function neighborFromIp(family: IpFamily, neighbor: IpNeighbor): NeighborSpec | undefined {
  const ip = canonicalIp(neighbor.dst);
  if (ip === undefined || neighbor.dev === undefined || neighbor.lladdr === undefined) return undefined;
  return { family, ip, lladdr: neighbor.lladdr.toLowerCase(), dev: neighbor.dev };
}
