import { existsSync } from 'node:fs';
import { CniCode, CniError } from '../../netconf/errors.ts';
import type { CniResult } from '../../netconf/result.ts';
import { runIpBatch, type IpCommand } from '../netns/ip-batch.ts';
import { readNetns } from '../netns/read-routing.ts';
import { routeDelete, routeReplace, ruleAdd } from '../plan/commands.ts';
import { describeEntries, isEmpty, missingEntries } from '../plan/diff.ts';
import { podDefaultRouteNic } from './pod-routing.ts';
import { routerSetup, type RouterInvocation, type RouterSetup } from './router-invocation.ts';

// ADD and DEL write without reading first: a NIC's table and rules are ours alone, so ADD
// clears and rebuilds them and DEL clears them, in one `ip -force -batch` per family whose
// deletions may fail (nothing to delete). Two processes per verb instead of four.

/** How many stale `from` rules of the NIC's table one ADD or DEL clears (one address per family). */
const staleRuleSweeps = 4;

/** ADD: the NIC's table and rules, rebuilt from the plan (re-ADD converges); returns prevResult. */
export async function routerAdd(inv: RouterInvocation): Promise<CniResult> {
  const prevResult = inv.conf.prevResult;
  if (prevResult === undefined) throw new CniError(CniCode.InvalidConfig, 'prevResult: missing; nicpool-router runs after a plugin that configures the NIC');
  const setup = routerSetup(inv, await podDefaultRouteNic(inv));
  for (const family of setup.families) {
    const wanted = [
      ...setup.plan.routes.filter((route) => route.family === family).map(routeReplace),
      ...setup.plan.rules.filter((rule) => rule.family === family).map(ruleAdd),
    ];
    await runTolerant(setup, setup.isDefaultRouteNic ? [] : clearTable(setup), wanted, family);
  }
  return prevResult;
}

/** CHECK: every planned entry exists; the error lists exactly which do not. */
export async function routerCheck(inv: RouterInvocation): Promise<void> {
  const setup = routerSetup(inv, await podDefaultRouteNic(inv));
  if (setup.families.length === 0) return;
  const missing = missingEntries(setup.plan, (await readNetns(setup.netns, setup.families)).routing);
  if (!isEmpty(missing)) throw new CniError(CniCode.CheckFailed, `${setup.ifname}: missing ${describeEntries(missing).join('; ')}`);
}

/** DEL: clears the NIC's table and rules (found by table number, prevResult or not). */
export async function routerDel(inv: RouterInvocation): Promise<void> {
  // DEL never fails for an agent that is gone: without its answer, main is left alone, and
  // the pod's netns takes the rest with it.
  const setup = routerSetup(inv, await podDefaultRouteNic(inv).catch(() => undefined));
  if (setup.netns === undefined || !existsSync(setup.netns)) return; // the pod is gone, and with it everything
  for (const family of [4, 6] as const) {
    const mainRoutes = setup.plan.routes.filter((route) => route.family === family && route.table === 'main').map(routeDelete);
    await runTolerant(setup, [...clearTable(setup), ...mainRoutes], [], family);
  }
}

/** Our rules pointing at the NIC's table, then the table itself: deletions that may find nothing. */
function clearTable(setup: RouterSetup): IpCommand[] {
  const rules = Array.from({ length: staleRuleSweeps }, () => ['rule', 'del', 'lookup', String(setup.table), 'pref', String(setup.rulePriority)]);
  return [...rules, ['route', 'flush', 'table', String(setup.table)]];
}

async function runTolerant(setup: RouterSetup, mayFail: IpCommand[], commands: IpCommand[], family: 4 | 6): Promise<void> {
  const tolerated = new Set(mayFail.map((_, index) => index));
  await runIpBatch(setup.netns, [...mayFail, ...commands], { family, mayFail: tolerated });
}
