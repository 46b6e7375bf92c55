// The global invariants of design §4, checked at the end of every GC scenario: no address held
// twice, across IPBlocks and Endpoints (no two Endpoint NICs record one address, and no Endpoint
// records an address whose block entry is another pod's); every held address belongs to a live
// pod (same UID) whose Endpoint records it, or is kept for a StatefulSet pod name; every pool's
// counters equal its IPBlock entries.
import type { ExecutionContext } from 'ava';
import type { SimCluster } from './k8s-cluster.ts';

interface Meta {
  metadata: { name: string; namespace?: string; uid?: string };
}

export async function assertInvariants(t: ExecutionContext, cluster: SimCluster, options: { keptForStatefulSets?: string[] } = {}): Promise<void> {
  const held = cluster.held();
  t.is(new Set(held.map((h) => h.ip)).size, held.length, 'invariant: no address held twice');
  const pods = new Map((cluster.api.objects.list('pods') as unknown as Meta[]).map((pod) => [`${pod.metadata.namespace}/${pod.metadata.name}`, pod.metadata.uid]));
  const endpoints = new Map(
    (cluster.api.objects.list('endpoints.nicpool.io') as unknown as (Meta & { spec: { podUID: string; nics: { interface: string; containerID: string; ipv4?: string; ipv6?: string }[] } })[]).map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e.spec]),
  );
  const recordedBy = new Map<string, string[]>();
  for (const [key, spec] of endpoints) {
    for (const nic of spec.nics) for (const ip of [nic.ipv4, nic.ipv6]) if (ip !== undefined) recordedBy.set(ip, [...(recordedBy.get(ip) ?? []), `${key} ${nic.interface}`]);
  }
  const recordedTwice = [...recordedBy].filter(([, nics]) => nics.length > 1).map(([ip, nics]) => `${ip}: ${nics.join(', ')}`);
  t.deepEqual(recordedTwice, [], 'invariant: no address recorded by two Endpoint NICs');
  const holderOf = new Map(held.map((h) => [h.ip, h.entry]));
  const recordedForOthers = [...recordedBy].flatMap(([ip, nics]) =>
    nics.flatMap((nic) => {
      const key = nic.split(' ')[0]!;
      const entry = holderOf.get(ip);
      return entry !== undefined && entry.podUID !== endpoints.get(key)?.podUID ? [`${ip}: Endpoint ${nic}, block entry of ${entry.namespace}/${entry.name} (UID ${entry.podUID})`] : [];
    }),
  );
  t.deepEqual(recordedForOthers, [], 'invariant: no Endpoint records an address another pod holds in its block');
  const orphans = held.filter((h) => {
    const key = `${h.entry.namespace}/${h.entry.name}`;
    if (options.keptForStatefulSets?.includes(key)) return false;
    const endpoint = endpoints.get(key);
    const recorded = endpoint?.podUID === h.entry.podUID && endpoint.nics.some((nic) => nic.interface === h.entry.ifname && nic.containerID === h.entry.containerID && (nic.ipv4 === h.ip || nic.ipv6 === h.ip));
    return pods.get(key) !== h.entry.podUID || !recorded;
  });
  t.deepEqual(orphans.map((h) => `${h.ip} ${h.entry.namespace}/${h.entry.name}`), [], 'invariant: every held address belongs to a live pod that records it');
  // The controller writes counters after each pass: wait for them to settle on the records.
  const counted = (pool: string) => held.filter((h) => h.pool === pool).length;
  const counters = () =>
    (cluster.api.objects.list('ippools.nicpool.io') as unknown as (Meta & { status?: { allocatedIPCount?: number } })[]).map((pool) => ({
      pool: pool.metadata.name,
      allocatedIPCount: pool.status?.allocatedIPCount ?? 0,
      entries: counted(pool.metadata.name),
    }));
  await cluster.until('ippools.nicpool.io', counters, (list) => list.every((pool) => pool.allocatedIPCount === pool.entries), "every pool's allocatedIPCount to equal its IPBlock entries");
  t.pass('invariant: every pool\'s allocatedIPCount equals its IPBlock entries');
}
