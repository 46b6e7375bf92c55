import { autoPoolLabels } from '../../netconf/annotations.ts';
import { fnv1a } from '../../netconf/fnv1a.ts';
import { formatIpRange, RangeSet, type IpFamily } from '../../netconf/ip/index.ts';
import type { IPPool } from '../../netconf/ippool.ts';
import type { LabelSelector } from '../../netconf/label-selector.ts';
import type { Subnet } from '../../netconf/subnet.ts';
import { compilePool } from '../pools/compiled-pool.ts';

/** One workload's wish for one NIC and family: a pool of `size` addresses from `subnet`. */
export interface AutoPoolWish {
  owner: { kind: string; namespace: string; name: string; uid: string };
  /** The workload's pod selector: the auto-pool serves only its pods. */
  selector: LabelSelector;
  nic: string;
  family: IpFamily;
  subnet: string;
  size: number;
  /** False when the workload asks to keep its pools after it is deleted. */
  reclaim: boolean;
}

export interface AutoPoolPlan {
  /** Pools to create or to write with new `ips` (desired state, whole objects). */
  upserts: IPPool[];
  /** Auto-pools no wish names any more (their workload is gone), to delete once empty; not those kept on request. */
  orphans: string[];
  /** Why a wish is not (fully) met, for an Event on the workload. */
  shortfalls: { owner: AutoPoolWish['owner']; message: string }[];
}

/**
 * Which auto-pools should exist and with which addresses (pure). A pool grows with free
 * addresses of its Subnet (the Subnet's allocatable addresses minus every pool's, so no two
 * pools ever overlap), lowest first, and shrinks by giving back free addresses, highest first;
 * an allocated address is never taken away. `allocated(pool)` is the set of its addresses in
 * use.
 */
export function planAutoPools(wishes: readonly AutoPoolWish[], subnets: readonly Subnet[], pools: readonly IPPool[], allocated: (pool: string) => RangeSet): AutoPoolPlan {
  const byName = new Map(pools.map((pool) => [pool.metadata.name, pool]));
  const upserts: IPPool[] = [];
  const shortfalls: AutoPoolPlan['shortfalls'] = [];
  // Addresses already given to some pool, updated as this plan gives more.
  const taken: Record<IpFamily, RangeSet> = { 4: RangeSet.of(4, []), 6: RangeSet.of(6, []) };
  for (const pool of pools) taken[pool.spec.ipVersion] = taken[pool.spec.ipVersion].union(compilePool(pool).allocatable);

  for (const wish of wishes) {
    const name = autoPoolName(wish);
    const subnet = subnets.find((candidate) => candidate.metadata.name === wish.subnet);
    const shortfall = (message: string) => shortfalls.push({ owner: wish.owner, message: `auto-pool ${name}: ${message}` });
    if (subnet === undefined) {
      shortfall(`Subnet ${JSON.stringify(wish.subnet)} does not exist`);
      continue;
    }
    if (subnet.spec.ipVersion !== wish.family) {
      shortfall(`Subnet ${JSON.stringify(wish.subnet)} is IPv${subnet.spec.ipVersion}, asked for IPv${wish.family}`);
      continue;
    }
    const existing = byName.get(name);
    const inSubnet = compilePool({ metadata: { name: wish.subnet }, spec: { ...subnet.spec, ipVersion: wish.family } }).allocatable;
    let ips = existing ? compilePool(existing).allocatable : RangeSet.of(wish.family, []);
    const current = ips.size();
    const size = BigInt(wish.size);
    if (current < size) {
      const free = inSubnet.subtract(taken[wish.family]);
      const grown = firstOf(free, size - current);
      ips = ips.union(grown);
      taken[wish.family] = taken[wish.family].union(grown);
      if (ips.size() < size) shortfall(`Subnet ${JSON.stringify(wish.subnet)} has ${free.size()} free addresses, ${size - current} more are needed (pool size ${size})`);
    } else if (current > size) {
      const removable = ips.subtract(allocated(name));
      ips = ips.subtract(lastOf(removable, current - size));
    }
    if (existing && ips.size() === current) continue;
    if (ips.isEmpty()) continue;
    upserts.push(autoPool(name, wish, subnet, ips));
  }

  const wanted = new Set(wishes.map(autoPoolName));
  const orphans = pools
    .filter((pool) => pool.metadata.labels?.[autoPoolLabels.subnet] !== undefined && pool.metadata.labels[autoPoolLabels.keep] !== 'true' && !wanted.has(pool.metadata.name))
    .map((pool) => pool.metadata.name);
  return { upserts, orphans, shortfalls };
}

/** `auto-<kind>-<namespace>-<name>-<nic>-v<family>`, lowercase, shortened with a hash past 253. */
export function autoPoolName(wish: Pick<AutoPoolWish, 'owner' | 'nic' | 'family'>): string {
  const full = `auto-${wish.owner.kind}-${wish.owner.namespace}-${wish.owner.name}-${wish.nic}-v${wish.family}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return full.length <= 253 ? full : `${full.slice(0, 240)}-${fnv1a(full).toString(16)}`;
}

function autoPool(name: string, wish: AutoPoolWish, subnet: Subnet, ips: RangeSet): IPPool {
  const { gateway, routes, vlan } = subnet.spec;
  return {
    apiVersion: 'nicpool.io/v1',
    kind: 'IPPool',
    metadata: {
      name,
      labels: {
        [autoPoolLabels.subnet]: wish.subnet,
        [autoPoolLabels.nic]: wish.nic,
        [autoPoolLabels.owner]: wish.owner.uid,
        ...(!wish.reclaim && { [autoPoolLabels.keep]: 'true' }),
      },
    },
    spec: {
      ipVersion: wish.family,
      subnet: subnet.spec.subnet,
      ips: ips.intervals().map(([start, end]) => formatIpRange(wish.family, start, end)),
      ...(gateway !== undefined && { gateway }),
      ...(routes !== undefined && { routes }),
      ...(vlan !== undefined && { vlan }),
      // Only the workload's pods, in its namespace, may use it.
      podAffinity: wish.selector,
      namespaceAffinity: { matchLabels: { 'kubernetes.io/metadata.name': wish.owner.namespace } },
    },
  };
}

/** The lowest `count` members of a set. */
function firstOf(set: RangeSet, count: bigint): RangeSet {
  const taken: [bigint, bigint][] = [];
  let rest = count;
  for (const [start, end] of set.intervals()) {
    if (rest <= 0n) break;
    const last = start + rest - 1n < end ? start + rest - 1n : end;
    taken.push([start, last]);
    rest -= last - start + 1n;
  }
  return RangeSet.of(set.family, taken);
}

/** The highest `count` members of a set. */
function lastOf(set: RangeSet, count: bigint): RangeSet {
  const taken: [bigint, bigint][] = [];
  let rest = count;
  for (const [start, end] of [...set.intervals()].reverse()) {
    if (rest <= 0n) break;
    const first = end - rest + 1n > start ? end - rest + 1n : start;
    taken.push([first, end]);
    rest -= end - first + 1n;
  }
  return RangeSet.of(set.family, taken);
}
