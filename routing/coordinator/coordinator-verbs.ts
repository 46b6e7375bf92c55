import { existsSync } from 'node:fs';
import { CoordinatorConfig } from '../../netconf/coordinator-config.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { knownKeysOnly } from '../../netconf/known-keys.ts';
import { CheckedCniResult, type CniResult } from '../../netconf/result.ts';
import { createEntries, removeEntries } from '../netns/apply.ts';
import { runIpBatch, type IpCommand } from '../netns/ip-batch.ts';
import { assertNotOwnNetns, isOwnNetns, ownNetnsMessage } from '../netns/own-netns.ts';
import { readNetns } from '../netns/read-routing.ts';
import { planNodeSide, planPodSide, type CoordinatorPlanInput } from '../plan/coordinator-plan.ts';
import { describeEntries, missingEntries, presentEntries } from '../plan/diff.ts';
import { ruleDelete } from '../plan/commands.ts';
import type { RoutingState } from '../plan/model.ts';
import { findHostVeth, prefixedMac, vethAlias } from '../plan/veth-identity.ts';
import { coordinatorSetup, type CoordinatorInvocation, type CoordinatorSetup } from './coordinator-setup.ts';
import { withNodeLock } from './node-lock.ts';
import { announce, assertGatewaysReachable, assertNoConflict } from './probes.ts';

const bothFamilies = [4, 6] as const;

/**
 * ADD: the veth pod⇄node (once per pod, whichever NIC's chain comes first), routes to the node
 * and Services in the pod, routes to this NIC's addresses on the node; then the optional
 * checks. A failed check undoes what this ADD created, and nothing else.
 */
export async function coordinatorAdd(inv: CoordinatorInvocation & { log: (message: string) => void }): Promise<CniResult> {
  const prevResult = inv.conf.prevResult;
  if (prevResult === undefined) throw new CniError(CniCode.InvalidConfig, 'prevResult: missing; nicpool-coordinator runs after a plugin that configures the NIC');
  const setup = coordinatorSetup(inv);
  const netns = required(setup.netns);
  assertNotOwnNetns(netns);
  // The node side is read and changed under the node lock: the table's rule is shared by every
  // pod, and a DEL of the last other pod must not remove it between this read and this write.
  const { input, made, addedOnNode, addedInPod, oldMac } = await withNodeLock(async () => {
    const node = await readNetns(undefined, bothFamilies);
    const pod = await readNetns(netns, bothFamilies);
    const input = setup.plan(node.links);
    const ipv4 = setup.addresses.find((address) => address.family === 4);
    // Changed live (macvlan and ipvlan allow it): taking the link down would flush its IPv6 addresses.
    const newMac: IpCommand[] = setup.config.macPrefix && ipv4 ? [['link', 'set', setup.ifname, 'address', prefixedMac(setup.config.macPrefix, ipv4.ip)]] : [];
    const addedOnNode = missingEntries(planNodeSide(input), node.routing);
    const addedInPod = missingEntries(planPodSide(input), pod.routing);
    const oldMac = newMac.length > 0 ? pod.links.find((link) => link.ifname === setup.ifname)?.address : undefined;
    // Ours to undo only once made: a failed `link add` (a name taken on the node) made nothing.
    let made = false;
    try {
      if (!pod.links.some((link) => link.ifname === input.podVeth)) {
        // Both ends are made inside the pod, then the node end is moved to this process's netns.
        await runIpBatch(netns, [['link', 'add', input.podVeth, 'address', input.podMac, 'type', 'veth', 'peer', 'name', input.hostVeth, 'address', input.hostMac, 'netns', String(process.pid)]]);
        made = true;
      }
      await createEntries(netns, addedInPod, [['link', 'set', input.podVeth, 'up'], ...newMac]);
      await createEntries(undefined, addedOnNode, [['link', 'set', input.hostVeth, 'alias', vethAlias(setup.containerID)], ['link', 'set', input.hostVeth, 'up']]);
    } catch (error) {
      await undoAdd(netns, { hostVeth: made ? input.hostVeth : undefined, addedOnNode, addedInPod, ifname: setup.ifname, oldMac }, input).catch((undo: unknown) => inv.log(`rollback incomplete: ${(undo as Error).message}`));
      throw error;
    }
    return { input, made, addedOnNode, addedInPod, oldMac };
  });
  try {
    if (setup.config.detectIPConflict) await assertNoConflict(netns, setup.ifname, setup.addresses);
    if (setup.config.detectGateway) await assertGatewaysReachable(netns, setup.ifname, setup.addresses);
  } catch (error) {
    await withNodeLock(() => undoAdd(netns, { hostVeth: made ? input.hostVeth : undefined, addedOnNode, addedInPod, ifname: setup.ifname, oldMac }, input)).catch((undo: unknown) => inv.log(`rollback incomplete: ${(undo as Error).message}`));
    throw error;
  }
  if (setup.config.announce) announce(netns, setup.ifname, setup.addresses, inv.log);
  return withHostInterface(prevResult, input.hostVeth, input.hostMac);
}

/** CHECK: the veth, the pod's routes and rules, and this NIC's routes on the node are all there. */
export async function coordinatorCheck(inv: CoordinatorInvocation): Promise<void> {
  const setup = coordinatorSetup(inv);
  const netns = required(setup.netns);
  assertNotOwnNetns(netns);
  const node = await readNetns(undefined, bothFamilies);
  const pod = await readNetns(netns, bothFamilies);
  const input = setup.plan(node.links);
  const problems: string[] = [];
  if (!pod.links.some((link) => link.ifname === input.podVeth && link.address === input.podMac)) problems.push(`veth ${input.podVeth} (${input.podMac}) in the pod`);
  if (!node.links.some((link) => link.ifname === input.hostVeth)) problems.push(`veth ${input.hostVeth} on the node`);
  const missingPod = missingEntries(planPodSide(input), pod.routing);
  const missingNode = missingEntries(planNodeSide(input), node.routing);
  problems.push(...describeEntries(missingPod).map((entry) => `pod ${entry}`), ...describeEntries(missingNode).map((entry) => `node ${entry}`));
  if (problems.length > 0) throw new CniError(CniCode.CheckFailed, `${setup.ifname}: missing ${problems.join('; ')}`);
}

/**
 * DEL: deleting the node end removes the pair and every route and neighbour through it; then
 * the pod's hijack rules (if the pod still exists) and the node rule once its table is empty.
 * Whatever is already gone is fine. It never stands between the runtime and the IPAM's DEL:
 * when it cannot act (the namespace is the plugin's own, the config cannot be read) it says why
 * on stderr, removes what needs no config (the veth, named from the container ID), and succeeds.
 */
export async function coordinatorDel(inv: CoordinatorInvocation & { log?: (message: string) => void }): Promise<void> {
  const log = inv.log ?? (() => undefined);
  if (inv.env.netns !== undefined && isOwnNetns(inv.env.netns)) return log(`DEL: nothing done: ${ownNetnsMessage(inv.env.netns)}`);
  const { conf: known, unknown } = knownKeysOnly(inv.conf, CoordinatorConfig.shape);
  if (unknown.length > 0) log(`DEL: ignoring unknown keys ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  // A prevResult DEL cannot read is dropped: the veth and the node rule are found without it.
  const prevOk = known.prevResult === undefined || CheckedCniResult.safeParse(known.prevResult).success;
  if (!prevOk) log('DEL: ignoring a malformed prevResult');
  const conf = prevOk ? known : { ...known, prevResult: undefined };
  let setup: CoordinatorSetup;
  try {
    setup = coordinatorSetup({ ...inv, conf });
  } catch (error) {
    if (!(error instanceof CniError)) throw error;
    log(`DEL: only the veth removed, the config cannot be read (${error.message})`);
    await withNodeLock(async () => {
      const ours = findHostVeth(inv.env.containerId ?? '', (await readNetns(undefined, [4])).links);
      if (ours !== undefined) await deleteLinkIfAny(ours);
    });
    return;
  }
  await withNodeLock(async () => {
    const node = await readNetns(undefined, bothFamilies);
    const input = setup.plan(node.links);
    if (node.links.some((link) => link.ifname === input.hostVeth)) await deleteLinkIfAny(input.hostVeth);
    if (setup.netns !== undefined && existsSync(setup.netns)) {
      const pod = await readNetns(setup.netns, bothFamilies);
      const ours = pod.routing.rules.filter((rule) => rule.priority === input.hijackPriority && rule.table === 'main' && rule.to !== undefined);
      await removeTolerant(setup.netns, ours);
    }
    await removeNodeRuleIfUnused(input, node.routing, input.hostVeth);
  });
}

/**
 * The node rule goes with the table's last route (routes through a deleted veth went with it).
 * Called under the node lock, so no ADD adds a route between this read and the removal.
 */
async function removeNodeRuleIfUnused(input: CoordinatorPlanInput, node: RoutingState, goneVeth: string | undefined): Promise<void> {
  const others = node.routes.filter((route) => route.table === input.nodeTable && route.dev !== goneVeth);
  if (others.length > 0) return;
  await removeTolerant(undefined, node.rules.filter((rule) => rule.table === input.nodeTable && rule.priority === input.nodeRulePriority));
}

/** Deletes a link; one already gone (the kernel removed the pair with the pod) is fine. */
async function deleteLinkIfAny(name: string): Promise<void> {
  await runIpBatch(undefined, [['link', 'del', name]], { mayFail: new Set([0]) });
}

/** Deletes rules, each of which may already be gone (another DEL got there first). */
async function removeTolerant(netns: string | undefined, rules: RoutingState['rules']): Promise<void> {
  for (const family of [4, 6] as const) {
    const commands = rules.filter((rule) => rule.family === family).map(ruleDelete);
    await runIpBatch(netns, commands, { family, mayFail: new Set(commands.map((_, index) => index)) });
  }
}

/** What one ADD changed, so a failed ADD can undo exactly that. */
interface AddChanges {
  /** The node end of the veth pair, when this ADD made the pair. */
  hostVeth: string | undefined;
  addedOnNode: RoutingState;
  addedInPod: RoutingState;
  ifname: string;
  /** The NIC's MAC before this ADD set a prefixed one. */
  oldMac: string | undefined;
}

/**
 * Removes what this ADD created, under the node lock: the veth pair if it made it (its routes
 * and neighbours go with it), else the entries it added; the pod's rules and routes it added;
 * the NIC's MAC it changed; the shared node rule only when no other pod's route is left in the
 * table. Nothing that was there before this ADD is touched.
 */
async function undoAdd(netns: string, changes: AddChanges, input: CoordinatorPlanInput): Promise<void> {
  const { hostVeth: madeHostVeth, addedOnNode, addedInPod } = changes;
  if (madeHostVeth !== undefined) await deleteLinkIfAny(madeHostVeth);
  if (existsSync(netns)) {
    const pod = await readNetns(netns, bothFamilies);
    await removeEntries(netns, presentEntries(addedInPod, pod.routing));
    const mac = pod.links.find((link) => link.ifname === changes.ifname)?.address;
    if (changes.oldMac !== undefined && mac !== undefined && mac !== changes.oldMac) {
      await runIpBatch(netns, [['link', 'set', changes.ifname, 'address', changes.oldMac]]);
    }
  }
  const actual = (await readNetns(undefined, bothFamilies)).routing;
  const present = presentEntries(addedOnNode, actual);
  await removeEntries(undefined, { ...present, rules: [] });
  if (addedOnNode.rules.length > 0) await removeNodeRuleIfUnused(input, (await readNetns(undefined, bothFamilies)).routing, undefined);
}

/** prevResult unchanged but for the node end of the veth, which carries no sandbox. */
function withHostInterface(result: CniResult, name: string, mac: string): CniResult {
  const interfaces = result.interfaces ?? [];
  if (interfaces.some((iface) => iface.name === name && iface.sandbox === undefined)) return result;
  return { ...result, interfaces: [...interfaces, { name, mac }] };
}

function required(netns: string | undefined): string {
  if (netns === undefined) throw new CniError(CniCode.InvalidEnv, 'CNI_NETNS is required');
  return netns;
}
