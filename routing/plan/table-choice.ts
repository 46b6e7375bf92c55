import type { RoutingState, RouteSpec, RuleSpec } from './model.ts';

// Which table a pod NIC uses, decided inside the pod's namespace: a number from the NIC's name
// alone collides (net1, ext1 and net01 all end in 1), so the name only gives the preferred
// table, and what the namespace holds decides. Pure: the verbs read the namespace, this plans.

export interface TableChoiceInput {
  ifname: string;
  /** The table from the name (tableFor), taken when free. */
  preferred: number;
  rulePriority: number;
  /** The NIC's addresses (canonical, no prefix): from prevResult and from the link itself. */
  addresses: readonly string[];
  /** Rules and routes of both families in the pod's namespace. */
  actual: RoutingState;
}

/** The kernel's own tables (unspec, default, main, local): never a NIC's. */
const reserved = new Set([0, 253, 254, 255]);
const maxTable = 0xffffffff;

const hostOf = (cidr: string) => cidr.split('/')[0] ?? '';
const numbered = (table: RuleSpec['table']): table is number => typeof table === 'number';

/**
 * The tables that are this NIC's: those its `from <address>` rules at our priority look up, and
 * those holding only routes through the NIC (rules gone, routes left). Found without prevResult
 * as long as the NIC has its addresses or its routes, which it has until its own plugin's DEL
 * (the chain's DEL runs in reverse order).
 */
export function ownedTables(input: Omit<TableChoiceInput, 'preferred'>): number[] {
  const addresses = new Set(input.addresses);
  const byRule = input.actual.rules
    .filter((rule) => rule.priority === input.rulePriority && rule.to === undefined && rule.from !== undefined && addresses.has(hostOf(rule.from)))
    .map((rule) => rule.table)
    .filter(numbered);
  const routesOf = (table: number) => input.actual.routes.filter((route) => route.table === table);
  const byRoute = input.actual.routes
    .filter((route): route is RouteSpec & { table: number } => numbered(route.table) && route.dev === input.ifname)
    .map((route) => route.table)
    .filter((table) => routesOf(table).every((route) => route.dev === input.ifname));
  return [...new Set([...byRule, ...byRoute])].filter((table) => !reserved.has(table)).sort((a, b) => a - b);
}

export interface TableChoice {
  /** The NIC's table: the one it already has (re-ADD), else the preferred if free, else the next free above it. */
  table: number;
  /** Every table of the NIC now (ADD clears them all before filling `table`; DEL clears them). */
  owned: number[];
}

export function chooseTable(input: TableChoiceInput): TableChoice {
  const owned = ownedTables(input);
  if (owned.includes(input.preferred)) return { table: input.preferred, owned };
  if (owned[0] !== undefined) return { table: owned[0], owned };
  const used = new Set<number>([...input.actual.rules.map((rule) => rule.table), ...input.actual.routes.map((route) => route.table)].filter(numbered));
  for (let table = input.preferred; table <= maxTable; table += 1) {
    if (!reserved.has(table) && !used.has(table)) return { table, owned };
  }
  throw new RangeError(`no free routing table above ${input.preferred}`);
}

/** A plan made for one table, moved to another (the router plans with the preferred table). */
export function withTable(plan: RoutingState, from: number, to: number): RoutingState {
  if (from === to) return plan;
  const move = <T extends { table: RuleSpec['table'] }>(entry: T): T => (entry.table === from ? { ...entry, table: to } : entry);
  return { routes: plan.routes.map(move), rules: plan.rules.map(move), neighbors: plan.neighbors };
}
