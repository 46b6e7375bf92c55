import { describeNeighbor, describeRoute, describeRule, neighborKey, routeKey, ruleKey, type RoutingState } from './model.ts';

/** The entries of `desired` absent from `actual`: what ADD must create and CHECK reports. */
export function missingEntries(desired: RoutingState, actual: RoutingState): RoutingState {
  const routes = new Set(actual.routes.map(routeKey));
  const rules = new Set(actual.rules.map(ruleKey));
  const neighbors = new Set(actual.neighbors.map(neighborKey));
  return {
    routes: desired.routes.filter((r) => !routes.has(routeKey(r))),
    rules: desired.rules.filter((r) => !rules.has(ruleKey(r))),
    neighbors: desired.neighbors.filter((n) => !neighbors.has(neighborKey(n))),
  };
}

/** The entries of `planned` present in `actual`: what DEL removes. */
export function presentEntries(planned: RoutingState, actual: RoutingState): RoutingState {
  const missing = missingEntries(planned, actual);
  const gone = { routes: new Set(missing.routes.map(routeKey)), rules: new Set(missing.rules.map(ruleKey)), neighbors: new Set(missing.neighbors.map(neighborKey)) };
  return {
    routes: planned.routes.filter((r) => !gone.routes.has(routeKey(r))),
    rules: planned.rules.filter((r) => !gone.rules.has(ruleKey(r))),
    neighbors: planned.neighbors.filter((n) => !gone.neighbors.has(neighborKey(n))),
  };
}

export function describeEntries(state: RoutingState): string[] {
  return [...state.rules.map(describeRule), ...state.routes.map(describeRoute), ...state.neighbors.map(describeNeighbor)];
}

export function isEmpty(state: RoutingState): boolean {
  return state.routes.length === 0 && state.rules.length === 0 && state.neighbors.length === 0;
}
