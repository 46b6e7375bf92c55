import { compareNames } from '../pools/compare-names.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatIp, type IpFamily } from '../../netconf/ip/index.ts';
import type { AddRequest } from '../allocate/attachment.ts';
import type { CompiledPool } from '../pools/compiled-pool.ts';
import { poolRejection } from './pool-filters.ts';

/** Per family, the pools to try in order; a family absent here gets no address. */
export type PoolChoice = Partial<Record<IpFamily, CompiledPool[]>>;

const families: readonly IpFamily[] = [4, 6];

/**
 * Design §4: per family the first source that names a pool wins — requested IP → pools named
 * by the attachment (CNI_ARGS, args) → the pod's annotation → the auto-pools of the Subnets
 * its annotation names → its namespace's annotation →
 * netconf default pools → pools with `default: true` (by name) — then pools that may not serve
 * this attachment are dropped. The annotations exist only in the Kubernetes store.
 */
export function choosePools(pools: ReadonlyMap<string, CompiledPool>, request: AddRequest): PoolChoice {
  const named = request.poolNames.map((name) => lookup(pools, name, 'NICPOOL_IPPOOLS'));
  const defaults = Object.fromEntries(
    families.map((family) => [family, (request.defaultPools[family] ?? []).map((name) => lookupOfFamily(pools, name, family))]),
  ) as Record<IpFamily, CompiledPool[]>;
  const markedDefault = [...pools.values()].filter((pool) => pool.spec.default).sort(compareNames);

  const choice: PoolChoice = {};
  for (const family of families) {
    const requested = request.requestedIps.filter((ip) => ip.family === family);
    if (requested.length > 1) {
      throw new CniError(CniCode.InvalidConfig, `runtimeConfig.ips: more than one IPv${family} address requested for ${request.attachment.ifname}`);
    }
    const sources: CompiledPool[][] = [
      requested.map((ip) => poolContaining(pools, ip.family, ip.value) ?? noPoolFor(formatIp(ip))),
      named.filter((pool) => pool.family === family),
      (request.podPools?.[family] ?? []).map((name) => lookupOfFamily(pools, name, family, `pod annotation's ipv${family}`)),
      (request.autoPools?.[family] ?? []).map((name) => lookupOfFamily(pools, name, family, `auto-pool`)),
      (request.namespacePools?.[family] ?? []).map((name) => lookupOfFamily(pools, name, family, `namespace annotation's ipv${family}`)),
      defaults[family],
      markedDefault.filter((pool) => pool.family === family),
    ];
    const candidates = sources.find((source) => source.length > 0);
    if (candidates === undefined) continue;
    choice[family] = keepEligible(candidates, request);
  }
  if (choice[4] === undefined && choice[6] === undefined) {
    throw new CniError(
      CniCode.NoPoolMatched,
      `no pool for network ${JSON.stringify(request.attachment.network)}: name pools in ipam.defaultIPv4Pools/defaultIPv6Pools, NICPOOL_IPPOOLS, or mark a pool "default": true`,
    );
  }
  return choice;
}

function keepEligible(candidates: CompiledPool[], request: AddRequest): CompiledPool[] {
  const ctx = {
    network: request.attachment.network,
    nodeName: request.nodeName,
    podNamespace: request.attachment.pod?.namespace,
    ...(request.labels && { labels: request.labels }),
  };
  const reasons: string[] = [];
  const eligible = candidates.filter((pool) => {
    const reason = poolRejection(pool, ctx);
    if (reason !== undefined) reasons.push(`pool ${JSON.stringify(pool.name)}: ${reason}`);
    return reason === undefined;
  });
  if (eligible.length === 0) throw new CniError(CniCode.NoPoolMatched, `no eligible pool: ${reasons.join('; ')}`);
  return eligible;
}

function lookup(pools: ReadonlyMap<string, CompiledPool>, name: string, source: string): CompiledPool {
  const pool = pools.get(name);
  if (pool === undefined) throw new CniError(CniCode.NoPoolMatched, `${source}: pool ${JSON.stringify(name)} does not exist`);
  return pool;
}

function lookupOfFamily(pools: ReadonlyMap<string, CompiledPool>, name: string, family: IpFamily, key = `ipam.defaultIPv${family}Pools`): CompiledPool {
  const pool = lookup(pools, name, key);
  if (pool.family !== family) throw new CniError(CniCode.InvalidConfig, `${key}: pool ${JSON.stringify(name)} is an IPv${pool.family} pool`);
  return pool;
}

function poolContaining(pools: ReadonlyMap<string, CompiledPool>, family: IpFamily, value: bigint): CompiledPool | undefined {
  for (const pool of pools.values()) {
    if (pool.family === family && pool.allocatable.has(value)) return pool;
  }
  return undefined;
}

function noPoolFor(ip: string): never {
  throw new CniError(CniCode.IpUnavailable, `runtimeConfig.ips: ${JSON.stringify(ip)} is not allocatable from any pool`);
}
