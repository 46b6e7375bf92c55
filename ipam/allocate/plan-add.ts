import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatIp, parseIp, type IpAddress, type IpFamily } from '../../netconf/ip/index.ts';
import type { Allocation, FixedBinding, StoreState } from '../../netconf/store-state.ts';
import type { CompiledPool } from '../pools/compiled-pool.ts';
import type { PoolChoice } from '../select/choose-pools.ts';
import { sameAttachment, type AddRequest, type Attachment, type PodRef } from './attachment.ts';

export interface AddPlan {
  state: StoreState;
  allocations: Allocation[];
  /** False when the attachment already held its addresses (a repeated ADD). */
  changed: boolean;
}

/**
 * Decides the addresses of one ADD, all families at once (all or nothing). A repeated ADD of
 * the same attachment returns what it holds. Within a pool, search starts after the pool's
 * cursor so a just-released address is the last to be reused.
 */
export function planAdd(state: StoreState, choice: PoolChoice, request: AddRequest, now: Date): AddPlan {
  const { attachment } = request;
  const held = state.allocations.filter((allocation) => sameAttachment(allocation, attachment));
  if (held.length > 0) return { state, allocations: held, changed: false };

  let next: StoreState = { ...state, allocations: [...state.allocations], fixedBindings: [...state.fixedBindings], cursors: { ...state.cursors } };
  const made: Allocation[] = [];
  for (const family of [4, 6] as const) {
    const pools = choice[family];
    if (pools === undefined) continue;
    const requested = request.requestedIps.find((ip) => ip.family === family);
    const pick = requested
      ? pickRequested(next, pools, requested, attachment)
      : (pickFixed(next, pools, attachment) ?? pickFree(next, pools, family));
    next = takeOver(next, pick.ip);
    const allocation: Allocation = {
      ip: pick.ip,
      pool: pick.pool.name,
      containerID: attachment.containerID,
      ifname: attachment.ifname,
      network: attachment.network,
      ...(attachment.pod && { podNamespace: attachment.pod.namespace, podName: attachment.pod.name }),
      ...(attachment.pod?.uid !== undefined && { podUID: attachment.pod.uid }),
      allocatedAt: now.toISOString(),
    };
    next.allocations.push(allocation);
    next.cursors[pick.pool.name] = pick.ip;
    if (pick.pool.spec.fixedIPs && attachment.pod) next = bind(next, pick.pool.name, pick.ip, attachment.pod, attachment.ifname);
    made.push(allocation);
  }
  return { state: next, allocations: made, changed: true };
}

interface Pick {
  pool: CompiledPool;
  ip: string;
}

function pickRequested(state: StoreState, pools: CompiledPool[], ip: IpAddress, attachment: Attachment): Pick {
  const text = formatIp(ip);
  const pod = attachment.pod;
  const pool = pools.find((candidate) => candidate.allocatable.has(ip.value));
  if (pool === undefined) throw new CniError(CniCode.IpUnavailable, `runtimeConfig.ips: ${JSON.stringify(text)} is not in an eligible pool`);
  const holder = state.allocations.find((allocation) => allocation.ip === text);
  if (holder && !isOldSandboxOf(holder, attachment)) {
    throw new CniError(CniCode.IpUnavailable, `runtimeConfig.ips: ${JSON.stringify(text)} is already held by ${describeHolder(holder)}`);
  }
  const binding = state.fixedBindings.find((candidate) => candidate.ip === text);
  if (binding && !(pod && binding.podNamespace === pod.namespace && binding.podName === pod.name)) {
    throw new CniError(CniCode.IpUnavailable, `runtimeConfig.ips: ${JSON.stringify(text)} is kept for pod ${binding.podNamespace}/${binding.podName}`);
  }
  return { pool, ip: text };
}

/** A pod re-created under the same name gets back the address its NIC had in a fixed-IP pool. */
function pickFixed(state: StoreState, pools: CompiledPool[], attachment: Attachment): Pick | undefined {
  const { pod, ifname } = attachment;
  if (pod === undefined) return undefined;
  for (const pool of pools) {
    if (!pool.spec.fixedIPs) continue;
    const binding = state.fixedBindings.find(
      (candidate) => candidate.pool === pool.name && candidate.podNamespace === pod.namespace && candidate.podName === pod.name && candidate.ifname === ifname,
    );
    const value = binding && parseIp(binding.ip);
    const holder = binding && state.allocations.find((allocation) => allocation.ip === binding.ip);
    const heldByOther = holder !== undefined && !isOldSandboxOf(holder, attachment);
    if (binding && value && pool.allocatable.has(value.value) && !heldByOther) return { pool, ip: binding.ip };
  }
  return undefined;
}

function pickFree(state: StoreState, pools: CompiledPool[], family: IpFamily): Pick {
  const taken = takenAddresses(state, family);
  for (const pool of pools) {
    const cursor = state.cursors[pool.name];
    const from = cursor === undefined ? 0n : (parseIp(cursor)?.value ?? -1n) + 1n;
    const free = pool.allocatable.firstFree(taken, from);
    if (free !== undefined) return { pool, ip: formatIp({ family, value: free }) };
  }
  throw new CniError(CniCode.PoolExhausted, pools.map((pool) => exhaustion(state, pool)).join('; '));
}

/** Every address held or kept for a fixed-IP pod, whatever pool it came from. */
export function takenAddresses(state: StoreState, family: IpFamily): Set<bigint> {
  const values = new Set<bigint>();
  for (const { ip } of [...state.allocations, ...state.fixedBindings]) {
    const parsed = parseIp(ip);
    if (parsed?.family === family) values.add(parsed.value);
  }
  return values;
}

function exhaustion(state: StoreState, pool: CompiledPool): string {
  const inUse = state.allocations.filter((allocation) => allocation.pool === pool.name).length;
  const kept = state.fixedBindings.filter(
    (binding) => binding.pool === pool.name && !state.allocations.some((allocation) => allocation.ip === binding.ip),
  ).length;
  const keptText = kept > 0 ? `, ${kept} kept for fixed-IP pods` : '';
  return `pool ${JSON.stringify(pool.name)} is exhausted (${inUse} of ${pool.allocatable.size()} addresses allocated${keptText})`;
}

/**
 * Whether `holder` is an earlier sandbox of the attachment's pod (same namespace/name, another
 * container ID): two pods of one name never coexist, so its DEL was lost and its address may be
 * taken over. Another NIC of the same sandbox is not an old sandbox.
 */
function isOldSandboxOf(holder: Allocation, attachment: Attachment): boolean {
  const pod = attachment.pod;
  return pod !== undefined && holder.podNamespace === pod.namespace && holder.podName === pod.name && holder.containerID !== attachment.containerID;
}

/**
 * A new sandbox of the same pod takes its address over from the old one, whose DEL was lost.
 * Callers only pick an address that is free or held by an old sandbox of the same pod.
 */
function takeOver(state: StoreState, ip: string): StoreState {
  return { ...state, allocations: state.allocations.filter((allocation) => allocation.ip !== ip) };
}

/** One binding per address and one per (pool, pod, NIC): the pod NIC's latest address wins. */
function bind(state: StoreState, pool: string, ip: string, pod: PodRef, ifname: string): StoreState {
  const binding: FixedBinding = { ip, pool, podNamespace: pod.namespace, podName: pod.name, ifname };
  const samePodNic = (candidate: FixedBinding) =>
    candidate.pool === pool && candidate.podNamespace === pod.namespace && candidate.podName === pod.name && candidate.ifname === ifname;
  const others = state.fixedBindings.filter((candidate) => candidate.ip !== ip && !samePodNic(candidate));
  return { ...state, fixedBindings: [...others, binding] };
}

function describeHolder(allocation: Allocation): string {
  const pod = allocation.podName === undefined ? '' : ` (pod ${allocation.podNamespace}/${allocation.podName})`;
  return `container ${allocation.containerID} ${allocation.ifname}${pod}`;
}
