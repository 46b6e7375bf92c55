import { existsSync } from 'node:fs';
import { CniCode, CniError } from '../../netconf/errors.ts';
import type { CniResult } from '../../netconf/result.ts';
import { createEntries, removeEntries } from '../netns/apply.ts';
import { runIpBatch, type IpCommand } from '../netns/ip-batch.ts';
import { readNetns } from '../netns/read-routing.ts';
import { planNodeSide, planPodSide } from '../plan/coordinator-plan.ts';
import { describeEntries, missingEntries, presentEntries } from '../plan/diff.ts';
import type { RoutingState } from '../plan/model.ts';
import { prefixedMac } from '../plan/veth-identity.ts';
import { coordinatorSetup, type CoordinatorInvocation } from './coordinator-setup.ts';
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
  const node = await readNetns(undefined, bothFamilies);
  const pod = await readNetns(netns, bothFamilies);
  const input = setup.plan(node.links);
  const created = !pod.links.some((link) => link.ifname === input.podVeth);
  // Both ends are made inside the pod, then the node end is moved to this process's netns.
  const createVeth: IpCommand[] = created
    ? [['link', 'add', input.podVeth, 'address', input.podMac, 'type', 'veth', 'peer', 'name', input.hostVeth, 'address', input.hostMac, 'netns', String(process.pid)]]
    : [];
  const ipv4 = setup.addresses.find((address) => address.family === 4);
  // Changed live (macvlan and ipvlan allow it): taking the link down would flush its IPv6 addresses.
  const newMac: IpCommand[] = setup.config.macPrefix && ipv4 ? [['link', 'set', setup.ifname, 'address', prefixedMac(setup.config.macPrefix, ipv4.ip)]] : [];
  const addedOnNode = missingEntries(planNodeSide(input), node.routing);
  try {
    await createEntries(netns, missingEntries(planPodSide(input), pod.routing), [...createVeth, ['link', 'set', input.podVeth, 'up'], ...newMac]);
    await createEntries(undefined, addedOnNode, [['link', 'set', input.hostVeth, 'up']]);
    if (setup.config.detectIPConflict) await assertNoConflict(netns, setup.ifname, setup.addresses);
    if (setup.config.detectGateway) await assertGatewaysReachable(netns, setup.ifname, setup.addresses);
  } catch (error) {
    await undoAdd(created ? input.hostVeth : undefined, addedOnNode).catch((undo: unknown) => inv.log(`rollback incomplete: ${(undo as Error).message}`));
    throw error;
  }
  if (setup.config.announce) announce(netns, setup.ifname, setup.addresses, inv.log);
  return withHostInterface(prevResult, input.hostVeth, input.hostMac);
}

/** CHECK: the veth, the pod's routes and rules, and this NIC's routes on the node are all there. */
export async function coordinatorCheck(inv: CoordinatorInvocation): Promise<void> {
  const setup = coordinatorSetup(inv);
  const node = await readNetns(undefined, bothFamilies);
  const pod = await readNetns(required(setup.netns), bothFamilies);
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
 */
export async function coordinatorDel(inv: CoordinatorInvocation): Promise<void> {
  const setup = coordinatorSetup(inv);
  const node = await readNetns(undefined, bothFamilies);
  const input = setup.plan(node.links);
  if (node.links.some((link) => link.ifname === input.hostVeth)) await runIpBatch(undefined, [['link', 'del', input.hostVeth]]);
  if (setup.netns !== undefined && existsSync(setup.netns)) {
    const pod = await readNetns(setup.netns, bothFamilies);
    const ours = pod.routing.rules.filter((rule) => rule.priority === input.hijackPriority && rule.table === 'main' && rule.to !== undefined);
    await removeEntries(setup.netns, { routes: [], rules: ours, neighbors: [] });
  }
  // Routes through the deleted veth went with it; the table's rule goes with its last route.
  const others = node.routing.routes.filter((route) => route.table === input.nodeTable && route.dev !== input.hostVeth);
  if (others.length === 0) {
    const rules = node.routing.rules.filter((rule) => rule.table === input.nodeTable && rule.priority === input.nodeRulePriority);
    await removeEntries(undefined, { routes: [], rules, neighbors: [] });
  }
}

/** Removes what this ADD created on the node: the veth pair if it made it, else its entries. */
async function undoAdd(createdHostVeth: string | undefined, addedOnNode: RoutingState): Promise<void> {
  if (createdHostVeth !== undefined) {
    await runIpBatch(undefined, [['link', 'del', createdHostVeth]]);
    return; // the pair, its routes and neighbours are gone with it
  }
  const actual = (await readNetns(undefined, bothFamilies)).routing;
  await removeEntries(undefined, presentEntries(addedOnNode, actual));
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
