import type { IpFamily } from '../../netconf/ip/index.ts';

/** A routing table: `main`, or a numbered one of ours. */
export type Table = number | 'main';

/** One route as we plan and compare it; `dst` is a canonical CIDR (0.0.0.0/0 for default). */
export interface RouteSpec {
  family: IpFamily;
  table: Table;
  dst: string;
  dev: string;
  via?: string;
  onlink?: boolean;
  scope?: 'link';
  src?: string;
}

/** One policy rule; `from`/`to` are canonical CIDRs, absent for "all". */
export interface RuleSpec {
  family: IpFamily;
  priority: number;
  from?: string;
  to?: string;
  table: Table;
}

/** A permanent neighbour entry (ARP/ND), so a veth never depends on resolution. */
export interface NeighborSpec {
  family: IpFamily;
  ip: string;
  lladdr: string;
  dev: string;
}

export interface RoutingState {
  routes: RouteSpec[];
  rules: RuleSpec[];
  neighbors: NeighborSpec[];
}

export const emptyRouting = (): RoutingState => ({ routes: [], rules: [], neighbors: [] });

// What identifies an entry for comparison: the kernel keys routes by table/dst (and we care
// where they lead), rules by all their selectors, neighbours by dev/ip.
export const routeKey = (r: RouteSpec) => `${r.family} ${r.table} ${r.dst} via ${r.via ?? '-'} dev ${r.dev}`;
export const ruleKey = (r: RuleSpec) => `${r.family} pref ${r.priority} from ${r.from ?? 'all'} to ${r.to ?? 'all'} lookup ${r.table}`;
export const neighborKey = (n: NeighborSpec) => `${n.family} ${n.ip} lladdr ${n.lladdr} dev ${n.dev}`;

export function describeRoute(r: RouteSpec): string {
  return `route ${r.dst}${r.via ? ` via ${r.via}` : ''} dev ${r.dev} table ${r.table}`;
}
export function describeRule(r: RuleSpec): string {
  return `rule ${r.priority}: from ${r.from ?? 'all'}${r.to ? ` to ${r.to}` : ''} lookup ${r.table}`;
}
export function describeNeighbor(n: NeighborSpec): string {
  return `neighbor ${n.ip} lladdr ${n.lladdr} dev ${n.dev}`;
}
