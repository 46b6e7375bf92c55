import { existsSync } from 'node:fs';
import { CniCode, CniError } from '../../netconf/errors.ts';
import type { CniResult } from '../../netconf/result.ts';
import { createEntries, removeEntries } from '../netns/apply.ts';
import { readNetns } from '../netns/read-routing.ts';
import { describeEntries, isEmpty, missingEntries, presentEntries } from '../plan/diff.ts';
import { routeKey, ruleKey, type RoutingState } from '../plan/model.ts';
import { routerSetup, type RouterInvocation, type RouterSetup } from './router-invocation.ts';

/** ADD: creates what is missing and removes our stale entries of this NIC; returns prevResult. */
export async function routerAdd(inv: RouterInvocation): Promise<CniResult> {
  const prevResult = inv.conf.prevResult;
  if (prevResult === undefined) throw new CniError(CniCode.InvalidConfig, 'prevResult: missing; nicpool-router runs after a plugin that configures the NIC');
  const setup = routerSetup(inv);
  if (setup.families.length > 0) {
    const actual = (await readNetns(setup.netns, setup.families)).routing;
    await removeEntries(setup.netns, staleEntries(setup, actual));
    await createEntries(setup.netns, missingEntries(setup.plan, actual));
  }
  return prevResult;
}

/** CHECK: every planned entry exists; the error lists exactly which do not. */
export async function routerCheck(inv: RouterInvocation): Promise<void> {
  const setup = routerSetup(inv);
  if (setup.families.length === 0) return;
  const missing = missingEntries(setup.plan, (await readNetns(setup.netns, setup.families)).routing);
  if (!isEmpty(missing)) throw new CniError(CniCode.CheckFailed, `${setup.ifname}: missing ${describeEntries(missing).join('; ')}`);
}

/** DEL: removes this NIC's table and rules (found by table number, prevResult or not). */
export async function routerDel(inv: RouterInvocation): Promise<void> {
  const setup = routerSetup(inv);
  if (setup.netns === undefined || !existsSync(setup.netns)) return; // the pod is gone, and with it everything
  const actual = (await readNetns(setup.netns, [4, 6])).routing;
  const owned = ownedBy(setup, actual);
  const plannedInMain = presentEntries(setup.plan, actual).routes.filter((route) => route.table === 'main');
  await removeEntries(setup.netns, { routes: [...owned.routes, ...plannedInMain], rules: owned.rules, neighbors: [] });
}

/** Our entries for this NIC's table: rules at our priority pointing at it, routes inside it. */
function ownedBy(setup: RouterSetup, actual: RoutingState): RoutingState {
  return {
    routes: actual.routes.filter((route) => route.table === setup.table),
    rules: actual.rules.filter((rule) => rule.table === setup.table && rule.priority === setup.rulePriority),
    neighbors: [],
  };
}

/** Owned entries the plan no longer wants (an address changed): re-ADD converges. */
function staleEntries(setup: RouterSetup, actual: RoutingState): RoutingState {
  const owned = ownedBy(setup, actual);
  const wantedRoutes = new Set(setup.plan.routes.map(routeKey));
  const wantedRules = new Set(setup.plan.rules.map(ruleKey));
  return {
    routes: owned.routes.filter((route) => !wantedRoutes.has(routeKey(route))),
    rules: owned.rules.filter((rule) => !wantedRules.has(ruleKey(rule))),
    neighbors: [],
  };
}
