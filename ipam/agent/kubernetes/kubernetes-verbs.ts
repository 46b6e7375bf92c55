import type { V1Pod } from '@kubernetes/client-node';
import { annotationKeys } from '../../../netconf/annotations.ts';
import type { Endpoint, EndpointNic, EndpointSpec } from '../../../netconf/endpoint.ts';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { formatIp, type IpFamily } from '../../../netconf/ip/index.ts';
import type { IpamConfig } from '../../../netconf/ipam-config.ts';
import type { IPBlockAllocation } from '../../../netconf/ipblock.ts';
import { InterfaceName } from '../../../netconf/names.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import type { CniResult } from '../../../netconf/result.ts';
import type { Allocation } from '../../../netconf/store-state.ts';
import type { Attachment, PodRef } from '../../allocate/attachment.ts';
import { buildIpamResult } from '../../allocate/build-result.ts';
import { addRequestOf, attachmentOf, ipamConfigFor, type IpamInvocation } from '../../cni/invocation.ts';
import { addressIn, locate } from '../../pools/blocks.ts';
import type { CompiledPool } from '../../pools/compiled-pool.ts';
import { choosePools } from '../../select/choose-pools.ts';
import { poolRejection } from '../../select/pool-filters.ts';
import type { ClusterClient, ReadEndpoint } from '../../store/kubernetes/cluster-client.ts';
import { KeyedQueue } from '../keyed-queue.ts';
import type { AgentVerbs } from '../verbs.ts';
import type { BlockAllocator, Released } from './block-allocator.ts';
import type { ClusterCache } from './cluster-cache.ts';
import { statefulSetWants } from '../../allocate/statefulset.ts';
import { annotatedPools, autoPoolsFor, filterLabels, ownerOf, statefulSetShape } from './pod-facts.ts';

export interface KubernetesVerbsOptions {
  nodeName: string;
  cache: ClusterCache;
  client: ClusterClient;
  allocator: BlockAllocator;
  log: (line: string) => void;
  now?: () => Date;
}

/** One address of one NIC: what an allocation made or an Endpoint records. */
interface NicAddress {
  family: IpFamily;
  ip: string;
  pool: string;
}

const endpointWriteAttempts = 5;

/**
 * The agent's verbs on the Kubernetes store (design §8.8, §8.10). An address is taken by one
 * compare-and-swap on its IPBlock; the pod's Endpoint, written after, records its addresses
 * per NIC, which makes ADD idempotent by pod UID and keeps a StatefulSet pod's addresses across
 * re-creation. The verbs of one pod run one at a time.
 */
export function kubernetesVerbs(options: KubernetesVerbsOptions): AgentVerbs {
  const { nodeName, cache, client, allocator, log } = options;
  const now = options.now ?? (() => new Date());
  const perPod = new KeyedQueue();

  return {
    add: (inv) => {
      const config = ipamConfigFor(inv, 'kubernetes');
      const attachment = attachmentOf(inv);
      const podRef = requirePod(attachment);
      return perPod.run(`${podRef.namespace}/${podRef.name}`, () => add(inv, config, attachment, podRef));
    },

    del: (inv) => {
      ipamConfigFor(inv, 'kubernetes');
      const attachment = attachmentOf(inv);
      const key = attachment.pod ? `${attachment.pod.namespace}/${attachment.pod.name}` : attachment.containerID;
      return perPod.run(key, () => del(attachment));
    },

    check: async (inv) => {
      ipamConfigFor(inv, 'kubernetes');
      const attachment = attachmentOf(inv);
      const podRef = requirePod(attachment);
      const read = await client.getEndpoint(podRef.namespace, podRef.name);
      const nic = read?.endpoint.spec.nics.find((candidate) => candidate.interface === attachment.ifname);
      if (nic === undefined || nic.containerID !== attachment.containerID) {
        throw new CniError(CniCode.CheckFailed, `Endpoint ${podRef.namespace}/${podRef.name} records no addresses for ${attachment.containerID} ${attachment.ifname}`);
      }
      const held = cache.blocks.heldBy(attachment.containerID, attachment.ifname);
      for (const address of addressesOf(nic)) {
        const { block, offset } = locate(poolNamed(cache.pools(), address.pool), address.ip);
        if (!held.some((entry) => entry.block === block && entry.offset === offset)) {
          throw new CniError(CniCode.CheckFailed, `${address.ip} (pool ${address.pool}) is not held by ${attachment.containerID} ${attachment.ifname} in IPBlock ${block}`);
        }
      }
    },

    gc: async (inv) => {
      ipamConfigFor(inv, 'kubernetes');
      const valid = inv.conf['cni.dev/valid-attachments'];
      if (valid === undefined) throw new CniError(CniCode.InvalidConfig, 'cni.dev/valid-attachments: missing, GC needs it');
      const live = new Set(valid.map((attachment) => `${attachment.containerID}/${attachment.ifname}`));
      const stale = (entry: IPBlockAllocation) => entry.node === nodeName && entry.network === inv.conf.name && !live.has(`${entry.containerID}/${entry.ifname}`);
      const released: Allocation[] = [];
      for (const { block } of [...cache.blocks.all()]) {
        if (!Object.values(block.status?.allocations ?? {}).some(stale)) continue;
        for (const freed of await allocator.releaseInBlock(block.metadata.name, stale)) released.push(allocationOf(freed));
      }
      return released;
    },

    podRouting: async ({ namespace, name }) => {
      const pod = cache.pod(namespace, name) ?? (await client.getPod(namespace, name));
      const nic = pod?.metadata?.annotations?.[annotationKeys.defaultRouteNic];
      if (nic === undefined) return {};
      return { defaultRouteNic: parseOrThrow(InterfaceName, nic, { root: `annotation ${annotationKeys.defaultRouteNic}` }) };
    },

    status: async (inv) => {
      ipamConfigFor(inv, 'kubernetes');
      const ctx = { network: inv.conf.name, nodeName, podNamespace: undefined, ignorePodFilters: true };
      const usable = [...cache.pools().values()].filter((pool) => poolRejection(pool, ctx) === undefined);
      if (usable.length === 0) throw new CniError(CniCode.PluginNotAvailable, `no usable pool for network ${JSON.stringify(inv.conf.name)} on node ${nodeName}`);
    },
  };

  async function add(inv: IpamInvocation, config: IpamConfig, attachment: Attachment, podRef: PodRef): Promise<CniResult> {
    const pod = cache.pod(podRef.namespace, podRef.name) ?? (await client.getPod(podRef.namespace, podRef.name));
    const uid = pod?.metadata?.uid;
    if (pod === undefined || uid === undefined) {
      throw new CniError(CniCode.TryAgainLater, `pod ${podRef.namespace}/${podRef.name} is not known to the API server; try again later`);
    }
    if (podRef.uid !== undefined && podRef.uid !== uid) {
      throw new CniError(CniCode.TryAgainLater, `pod ${podRef.namespace}/${podRef.name} is now UID ${uid}, not ${podRef.uid}: this sandbox belongs to a deleted pod`);
    }
    const pools = cache.pools();
    const read = await client.getEndpoint(podRef.namespace, podRef.name);
    const previous = read?.endpoint.spec;
    const recorded = previous?.nics.find((nic) => nic.interface === attachment.ifname);
    const holder = holderOf(attachment, uid);
    if (previous?.podUID === uid && recorded?.containerID === attachment.containerID) {
      // A repeated ADD: answered from the Endpoint, once the blocks show the addresses still
      // held (confirmed now if an earlier ADD died before its confirm).
      const addresses = addressesOf(recorded);
      await confirmOrUndo(podRef, addresses, holder, []);
      return buildIpamResult(addresses.map((address) => allocationOfAddress(address, attachment, uid)), pools);
    }

    const keeps = previous !== undefined && (previous.podUID === uid || (await statefulSetKeeps(previous, podRef)));
    const taken: NicAddress[] = [];
    let addresses: NicAddress[];
    try {
      if (keeps && recorded) {
        // A new sandbox of the same pod, or a StatefulSet pod re-created: its addresses again.
        addresses = addressesOf(recorded);
        for (const address of addresses) await allocator.claim(poolNamed(pools, address.pool), address.ip, holder, samePod(podRef));
      } else {
        if (previous && !keeps) await releasePod(previous, `pod ${podRef.namespace}/${podRef.name} re-created with UID ${uid}`);
        addresses = await allocate(inv, config, attachment, pod, holder, pools, taken);
      }
      const nic: EndpointNic = nicOf(attachment, addresses);
      await writeEndpoint(podRef, (current) => ({
        podUID: uid,
        node: nodeName,
        ...ownerFields(pod),
        nics: [...(current && (current.podUID === uid || keeps) ? current.nics.filter((other) => other.interface !== nic.interface) : []), nic],
      }), read);
    } catch (error) {
      await rollBack(taken, attachment);
      throw error;
    }
    await confirmOrUndo(podRef, addresses, holder, taken);
    return buildIpamResult(addresses.map((address) => allocationOfAddress(address, attachment, uid)), pools);
  }

  /**
   * The last step of every successful ADD (design §8.8, "ADD against GC"): each address is
   * confirmed on its block by a compare-and-swap made after the Endpoint records it. Either the
   * confirm lands first (a GC release decided before the Endpoint existed then loses its own
   * compare-and-swap, re-reads, and finds the Endpoint), or the release landed first and the
   * confirm finds the entry gone: then this ADD never answers success. It takes its NIC out of
   * the Endpoint, gives back what it took, and answers "try again later".
   */
  async function confirmOrUndo(podRef: PodRef, addresses: NicAddress[], holder: IPBlockAllocation, taken: NicAddress[]): Promise<void> {
    const pools = cache.pools();
    let lost: NicAddress | undefined;
    try {
      for (const address of addresses) {
        const { block, offset } = locate(poolNamed(pools, address.pool), address.ip);
        if ((await allocator.confirm(block, offset, holder)) === 'released') {
          lost = address;
          break;
        }
      }
    } catch (error) {
      await undoAdd(podRef, holder, taken);
      throw error;
    }
    if (lost === undefined) return;
    await undoAdd(podRef, holder, taken);
    log(`ADD ${holder.containerID}/${holder.ifname} of pod ${podRef.namespace}/${podRef.name}: ${lost.ip} was released while the ADD was in flight`);
    throw new CniError(CniCode.TryAgainLater, `address ${lost.ip} (pool ${lost.pool}) was released while this ADD was in flight; try again later`);
  }

  /** Takes the attachment's NIC out of the pod's Endpoint and gives back what the ADD took. */
  async function undoAdd(podRef: PodRef, holder: IPBlockAllocation, taken: NicAddress[]): Promise<void> {
    const ours = (nic: EndpointNic) => nic.interface === holder.ifname && nic.containerID === holder.containerID;
    try {
      const read = await client.getEndpoint(podRef.namespace, podRef.name);
      if (read?.endpoint.spec.podUID === holder.podUID && read.endpoint.spec.nics.some(ours)) {
        await writeEndpoint(podRef, (current) => current && { ...current, nics: current.nics.filter((nic) => !ours(nic)) }, read);
      }
    } catch (error) {
      // A later ADD of this sandbox verifies the record against the blocks and undoes it then.
      log(`taking ${holder.containerID}/${holder.ifname} out of Endpoint ${podRef.namespace}/${podRef.name} failed: ${(error as Error).message}`);
    }
    await rollBack(taken, holder);
  }

  async function allocate(
    inv: IpamInvocation,
    config: IpamConfig,
    attachment: Attachment,
    pod: V1Pod,
    holder: IPBlockAllocation,
    pools: ReadonlyMap<string, CompiledPool>,
    taken: NicAddress[],
  ): Promise<NicAddress[]> {
    // An ADD cut short after its block write and before its Endpoint write holds them already,
    // as far as this agent knows: taken again (pending once more, for the confirm to write),
    // unless someone else holds them now (the GC released them meanwhile).
    const held = cache.blocks.heldBy(attachment.containerID, attachment.ifname).flatMap(({ block, offset }) => {
      const read = cache.blocks.get(block);
      const pool = read && pools.get(read.block.spec.pool);
      return pool ? [{ family: pool.family, pool, ip: addressIn(pool, read.block.spec.start, offset) }] : [];
    });
    if (held.length > 0 && (await claimAgain(held, holder))) return held.map(({ family, pool, ip }) => ({ family, pool: pool.name, ip }));

    const namespace = cache.namespace(holder.namespace);
    const node = cache.node();
    const labels = filterLabels(pod, namespace?.metadata?.labels, node?.metadata?.labels, { namespace: holder.namespace, node: nodeName });
    const autoPools = autoPoolsFor(pod, attachment.ifname, pools, { network: attachment.network, nodeName, podNamespace: holder.namespace, labels });
    const request = {
      ...addRequestOf(inv, config),
      ...annotatedPools(pod, namespace?.metadata?.annotations ?? {}, attachment.ifname),
      ...(autoPools && { autoPools }),
      nodeName,
      labels,
    };
    const choice = choosePools(pools, request);
    for (const family of [4, 6] as const) {
      const candidates = choice[family];
      if (candidates === undefined) continue;
      const requested = request.requestedIps.find((ip) => ip.family === family);
      if (requested) {
        const ip = formatIp(requested);
        const pool = candidates.find((candidate) => candidate.allocatable.has(requested.value));
        if (pool === undefined) throw new CniError(CniCode.IpUnavailable, `runtimeConfig.ips: ${JSON.stringify(ip)} is not in an eligible pool`);
        if (cache.reserved(family).has(requested.value)) throw new CniError(CniCode.IpUnavailable, `runtimeConfig.ips: ${JSON.stringify(ip)} is reserved by a ReservedIP`);
        await allocator.claim(pool, ip, holder, samePod(attachment.pod!));
        taken.push({ family, ip, pool: pool.name });
        continue;
      }
      taken.push(await allocateFromPools(candidates, family, holder));
    }
    return [...taken];
  }

  /** Takes the attachment's addresses again; false when one is someone else's now. */
  async function claimAgain(held: { pool: CompiledPool; ip: string }[], holder: IPBlockAllocation): Promise<boolean> {
    try {
      for (const { pool, ip } of held) await allocator.claim(pool, ip, holder, () => false);
      return true;
    } catch (error) {
      if (error instanceof CniError && error.code === CniCode.IpUnavailable) return false;
      throw error;
    }
  }

  async function allocateFromPools(candidates: CompiledPool[], family: IpFamily, holder: IPBlockAllocation): Promise<NicAddress> {
    for (const pool of candidates) {
      const ip = await allocator.allocate(pool, holder, cache.reserved(family));
      if (ip !== undefined) return { family, ip, pool: pool.name };
    }
    throw new CniError(CniCode.PoolExhausted, candidates.map((pool) => `pool ${JSON.stringify(pool.name)} is exhausted (${pool.allocatable.size()} addresses)`).join('; '));
  }

  async function del(attachment: Attachment): Promise<Allocation[]> {
    const pod = attachment.pod;
    const read = pod && (await client.getEndpoint(pod.namespace, pod.name));
    const spec = read?.endpoint.spec;
    const recorded = spec?.nics.find((nic) => nic.interface === attachment.ifname && nic.containerID === attachment.containerID);
    if (pod && spec && recorded && (await statefulSetKeeps(spec, pod))) {
      log(`DEL ${attachment.containerID}/${attachment.ifname}: kept ${addressesOf(recorded).map((a) => a.ip).join(',')} for StatefulSet pod ${pod.namespace}/${pod.name}`);
      return [];
    }
    const mine = (entry: IPBlockAllocation) => entry.containerID === attachment.containerID && entry.ifname === attachment.ifname;
    const blocks = new Set(cache.blocks.heldBy(attachment.containerID, attachment.ifname).map((entry) => entry.block));
    const pools = cache.pools();
    for (const address of recorded ? addressesOf(recorded) : []) {
      const pool = pools.get(address.pool);
      if (pool) blocks.add(locate(pool, address.ip).block);
    }
    const released: Allocation[] = [];
    for (const block of blocks) for (const freed of await allocator.releaseInBlock(block, mine)) released.push(allocationOf(freed));
    if (pod && recorded) {
      await writeEndpoint(pod, (current) => (current ? { ...current, nics: current.nics.filter((nic) => !(nic.interface === recorded.interface && nic.containerID === recorded.containerID)) } : undefined), read);
    }
    return released;
  }

  /** Whether the Endpoint's StatefulSet still wants this pod name (then its addresses stay). */
  async function statefulSetKeeps(spec: EndpointSpec, pod: PodRef): Promise<boolean> {
    if (spec.ownerKind !== 'StatefulSet' || spec.ownerName === undefined) return false;
    return statefulSetWants(statefulSetShape(await client.getStatefulSet(pod.namespace, spec.ownerName)), pod.name);
  }

  /** Frees what an Endpoint of an earlier pod of the same name still holds. */
  async function releasePod(spec: EndpointSpec, why: string): Promise<void> {
    const pools = cache.pools();
    for (const nic of spec.nics) {
      for (const address of addressesOf(nic)) {
        const pool = pools.get(address.pool);
        if (pool === undefined) continue;
        const freed = await allocator.releaseInBlock(locate(pool, address.ip).block, (entry) => entry.podUID === spec.podUID);
        if (freed.length > 0) log(`released ${freed.map((f) => f.ip).join(',')}: ${why}`);
      }
    }
  }

  async function rollBack(taken: NicAddress[], attachment: Pick<Attachment, 'containerID' | 'ifname'>): Promise<void> {
    const pools = cache.pools();
    for (const address of taken) {
      const pool = pools.get(address.pool);
      if (pool === undefined) continue;
      try {
        await allocator.releaseInBlock(locate(pool, address.ip).block, (entry) => entry.containerID === attachment.containerID && entry.ifname === attachment.ifname);
      } catch (error) {
        // The start-up reconciliation frees it once the pod is gone; the original error matters more.
        log(`rollback of ${address.ip} failed: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Compare-and-swap of the pod's Endpoint: `build` gets the current spec (or undefined) and
   * returns the new one, or undefined to delete it. Retried on a lost race, bounded. A create
   * that finds the object there is a lost race too.
   */
  async function writeEndpoint(pod: PodRef, build: (current: EndpointSpec | undefined) => EndpointSpec | undefined, lastRead: ReadEndpoint | undefined): Promise<void> {
    for (let attempt = 1; attempt <= endpointWriteAttempts; attempt++) {
      // The caller's read is tried first (the pod's verbs are serialized here, so it is
      // usually current); a lost race re-reads.
      const read = attempt === 1 ? lastRead : await client.getEndpoint(pod.namespace, pod.name);
      const next = build(read?.endpoint.spec);
      if (next === undefined || next.nics.length === 0) {
        if (read === undefined || (await client.deleteEndpoint(pod.namespace, pod.name, read.resourceVersion))) return;
        continue;
      }
      const endpoint: Endpoint = { metadata: { name: pod.name, namespace: pod.namespace }, spec: next };
      if (await client.writeEndpoint(endpoint, read?.resourceVersion)) return;
    }
    throw new CniError(CniCode.TryAgainLater, `Endpoint ${pod.namespace}/${pod.name} kept changing under ${endpointWriteAttempts} writes; try again later`);
  }

  function holderOf(attachment: Attachment, uid: string): IPBlockAllocation {
    return {
      podUID: uid,
      namespace: attachment.pod!.namespace,
      name: attachment.pod!.name,
      containerID: attachment.containerID,
      ifname: attachment.ifname,
      node: nodeName,
      at: now().toISOString().replace(/\.\d+Z$/, 'Z'),
      network: attachment.network,
      // Until this ADD's confirm (confirmOrUndo).
      pending: true,
    };
  }

  function allocationOfAddress(address: NicAddress, attachment: Attachment, uid: string): Allocation {
    return {
      ip: address.ip,
      pool: address.pool,
      containerID: attachment.containerID,
      ifname: attachment.ifname,
      network: attachment.network,
      podNamespace: attachment.pod!.namespace,
      podName: attachment.pod!.name,
      podUID: uid,
      allocatedAt: now().toISOString(),
    };
  }
}

function requirePod(attachment: Attachment): PodRef {
  if (attachment.pod === undefined) {
    throw new CniError(CniCode.InvalidEnv, 'CNI_ARGS: K8S_POD_NAMESPACE and K8S_POD_NAME are required by the Kubernetes store');
  }
  return attachment.pod;
}

/** Another sandbox of the same pod name may hand its address over (its DEL was lost or kept). */
function samePod(pod: PodRef): (current: IPBlockAllocation) => boolean {
  return (current) => current.namespace === pod.namespace && current.name === pod.name;
}

function ownerFields(pod: V1Pod): Pick<EndpointSpec, 'ownerKind' | 'ownerName'> {
  const owner = ownerOf(pod);
  return owner ? { ownerKind: owner.kind, ownerName: owner.name } : {};
}

function nicOf(attachment: Attachment, addresses: NicAddress[]): EndpointNic {
  const v4 = addresses.find((address) => address.family === 4);
  const v6 = addresses.find((address) => address.family === 6);
  return {
    interface: attachment.ifname,
    containerID: attachment.containerID,
    ...(v4 && { ipv4: v4.ip, ipv4Pool: v4.pool }),
    ...(v6 && { ipv6: v6.ip, ipv6Pool: v6.pool }),
  };
}

function addressesOf(nic: EndpointNic): NicAddress[] {
  return [
    ...(nic.ipv4 && nic.ipv4Pool ? [{ family: 4 as const, ip: nic.ipv4, pool: nic.ipv4Pool }] : []),
    ...(nic.ipv6 && nic.ipv6Pool ? [{ family: 6 as const, ip: nic.ipv6, pool: nic.ipv6Pool }] : []),
  ];
}

function poolNamed(pools: ReadonlyMap<string, CompiledPool>, name: string): CompiledPool {
  const pool = pools.get(name);
  if (pool === undefined) throw new CniError(CniCode.NoPoolMatched, `pool ${JSON.stringify(name)} recorded in the pod's Endpoint no longer exists`);
  return pool;
}

function allocationOf(freed: Released): Allocation {
  const { entry } = freed;
  return {
    ip: freed.ip,
    pool: freed.pool,
    containerID: entry.containerID,
    ifname: entry.ifname,
    network: entry.network ?? '',
    podNamespace: entry.namespace,
    podName: entry.name,
    podUID: entry.podUID,
    allocatedAt: entry.at,
  };
}
