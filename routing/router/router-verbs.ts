import { existsSync } from 'node:fs';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { canonicalIp } from '../../netconf/ip/index.ts';
import { knownKeysOnly } from '../../netconf/known-keys.ts';
import { CheckedCniResult, type CniResult } from '../../netconf/result.ts';
import { RouterConfig } from '../../netconf/router-config.ts';
import { runIpBatch, type IpCommand } from '../netns/ip-batch.ts';
import { assertNotOwnNetns, isOwnNetns, ownNetnsMessage } from '../netns/own-netns.ts';
import { readNetns, type NetnsView } from '../netns/read-routing.ts';
import { routeDelete, routeReplace, ruleAdd, ruleDelete } from '../plan/commands.ts';
import { describeEntries, isEmpty, missingEntries } from '../plan/diff.ts';
import type { RoutingState } from '../plan/model.ts';
import { chooseTable, withTable } from '../plan/table-choice.ts';
import { podDefaultRouteNic } from './pod-routing.ts';
import { routerSetup, type RouterInvocation, type RouterSetup } from './router-invocation.ts';

// A NIC's table is chosen inside the pod (routing/plan/table-choice.ts): the name's number when
// free, else the next free one; re-ADD, CHECK and DEL find it again by the NIC's rules and routes.
// ADD clears every table of the NIC and rebuilds the chosen one; DEL clears them. One read and
// one `ip -force -batch` per family, whose deletions may fail (a concurrent change).

type Logged = RouterInvocation & { log?: (message: string) => void };

/** ADD: the NIC's table and rules, rebuilt from the plan (re-ADD converges); returns prevResult. */
export async function routerAdd(inv: Logged): Promise<CniResult> {
  const prevResult = inv.conf.prevResult;
  if (prevResult === undefined) throw new CniError(CniCode.InvalidConfig, 'prevResult: missing; nicpool-router runs after a plugin that configures the NIC');
  const setup = routerSetup(inv, await podDefaultRouteNic(inv));
  const netns = required(setup.netns);
  assertNotOwnNetns(netns);
  if (setup.isDefaultRouteNic) {
    for (const family of setup.families) await runTolerant(netns, [], setup.plan.routes.filter((route) => route.family === family).map(routeReplace), family);
    return prevResult;
  }
  const view = await readNetns(netns, [4, 6]);
  const { plan, owned } = placed(setup, view);
  for (const family of setup.families) {
    const wanted = [...plan.routes.filter((route) => route.family === family).map(routeReplace), ...plan.rules.filter((rule) => rule.family === family).map(ruleAdd)];
    await runTolerant(netns, clearTables(setup, view, owned, family), wanted, family);
  }
  return prevResult;
}

/** CHECK: every planned entry exists (in the table the NIC has); the error lists exactly which do not. */
export async function routerCheck(inv: Logged): Promise<void> {
  const setup = routerSetup(inv, await podDefaultRouteNic(inv));
  const netns = required(setup.netns);
  assertNotOwnNetns(netns);
  if (setup.families.length === 0) return;
  const view = await readNetns(netns, [4, 6]);
  const plan = setup.isDefaultRouteNic ? setup.plan : placed(setup, view).plan;
  const missing = missingEntries(plan, view.routing);
  if (!isEmpty(missing)) throw new CniError(CniCode.CheckFailed, `${setup.ifname}: missing ${describeEntries(missing).join('; ')}`);
}

/**
 * DEL: clears the NIC's tables and rules (found in the pod, prevResult or not). It never stands
 * between the runtime and the IPAM's DEL: when it cannot act (the pod is gone, the namespace is
 * the plugin's own, the config cannot be read) it says why on stderr and succeeds; what is left
 * lives in the pod's namespace and goes with it.
 */
export async function routerDel(inv: Logged): Promise<void> {
  const log = inv.log ?? (() => undefined);
  const netns = inv.env.netns;
  if (netns === undefined || !existsSync(netns)) return; // the pod is gone, and with it everything
  if (isOwnNetns(netns)) return log(`DEL: nothing done: ${ownNetnsMessage(netns)}`);
  const { conf, unknown } = knownKeysOnly(inv.conf, RouterConfig.shape);
  if (unknown.length > 0) log(`DEL: ignoring unknown keys ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  // A prevResult DEL cannot read is dropped: the NIC's tables are found in the pod without it.
  const prevOk = conf.prevResult === undefined || CheckedCniResult.safeParse(conf.prevResult).success;
  if (!prevOk) log('DEL: ignoring a malformed prevResult; the NIC\'s tables are found in the pod');
  const lenient = { ...inv, conf: prevOk ? conf : { ...conf, prevResult: undefined } };
  let setup: RouterSetup;
  try {
    // Without the agent's answer, main is left alone, and the pod's netns takes the rest with it.
    setup = routerSetup(lenient, await podDefaultRouteNic(lenient).catch(() => undefined));
  } catch (error) {
    if (!(error instanceof CniError)) throw error;
    return log(`DEL: nothing done, the config cannot be read (${error.message}); the pod's routing goes with its netns`);
  }
  const view = await readNetns(netns, [4, 6]);
  const { owned } = placed(setup, view);
  for (const family of [4, 6] as const) {
    const mainRoutes = setup.plan.routes.filter((route) => route.family === family && route.table === 'main').map(routeDelete);
    await runTolerant(netns, [...clearTables(setup, view, owned, family), ...mainRoutes], [], family);
  }
}

/** The NIC's table in this pod and the plan moved into it, from what the namespace holds. */
function placed(setup: RouterSetup, view: NetnsView): { plan: RoutingState; owned: number[] } {
  const fromPlan = setup.plan.rules.flatMap((rule) => (rule.from ? [rule.from.split('/')[0] ?? ''] : []));
  const onLink = view.links
    .filter((link) => link.ifname === setup.ifname)
    .flatMap((link) => link.addr_info ?? [])
    .flatMap((info) => canonicalIp(info.local) ?? []);
  const choice = chooseTable({ ifname: setup.ifname, preferred: setup.table, rulePriority: setup.rulePriority, addresses: [...fromPlan, ...onLink], actual: view.routing });
  return { plan: withTable(setup.plan, setup.table, choice.table), owned: choice.owned };
}

/** The rules (at our priority) that look up the NIC's tables, then the tables themselves. */
function clearTables(setup: RouterSetup, view: NetnsView, owned: number[], family: 4 | 6): IpCommand[] {
  const rules = view.routing.rules.filter((rule) => rule.family === family && rule.priority === setup.rulePriority && typeof rule.table === 'number' && owned.includes(rule.table));
  return [...rules.map(ruleDelete), ...owned.map((table) => ['route', 'flush', 'table', String(table)])];
}

async function runTolerant(netns: string, mayFail: IpCommand[], commands: IpCommand[], family: 4 | 6): Promise<void> {
  const tolerated = new Set(mayFail.map((_, index) => index));
  await runIpBatch(netns, [...mayFail, ...commands], { family, mayFail: tolerated });
}

function required(netns: string | undefined): string {
  if (netns === undefined) throw new CniError(CniCode.InvalidEnv, 'CNI_NETNS is required');
  return netns;
}
