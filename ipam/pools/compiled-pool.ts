import { cidrFirst, cidrLast, parseCidr, parseIp, parseIpRange, RangeSet, type Cidr, type IpAddress, type IpFamily } from '../../netconf/ip/index.ts';
import type { IPPool, IPPoolSpec } from '../../netconf/ippool.ts';

/** A validated pool with its address arithmetic done once: what allocation works on. */
export interface CompiledPool {
  name: string;
  spec: IPPoolSpec;
  family: IpFamily;
  subnet: Cidr;
  gateway: IpAddress | undefined;
  /** ips − excludeIPs − gateway − the subnet's network/broadcast (IPv4) or anycast (IPv6) address. */
  allocatable: RangeSet;
  labels: Readonly<Record<string, string>>;
  /** Set when the pool overlaps another in the cluster (splitPoolSet): it serves no ADD. */
  conflict?: PoolConflict;
}

/** Why a pool is set aside: the pools it overlaps, and where. */
export interface PoolConflict {
  /** The other pools, by name. */
  with: string[];
  /** `overlaps pool "b" at 10.0.0.15-10.0.0.20; pool "c" at …` */
  message: string;
}

export function compilePool(pool: IPPool): CompiledPool {
  const spec = pool.spec;
  const family = spec.ipVersion;
  const subnet = mustParse(parseCidr(spec.subnet), spec.subnet);
  const gateway = spec.gateway === undefined ? undefined : mustParse(parseIp(spec.gateway), spec.gateway);
  const never = [...(spec.excludeIPs ?? []).map((entry) => rangeOf(entry)), ...subnetEdges(subnet)];
  if (gateway) never.push([gateway.value, gateway.value]);
  const allocatable = RangeSet.of(family, spec.ips.map(rangeOf)).subtract(RangeSet.of(family, never));
  return { name: pool.metadata.name, spec, family, subnet, gateway, allocatable, labels: pool.metadata.labels ?? {} };
}

/**
 * Addresses no host may use: IPv4's network and broadcast (except /31 and /32, RFC 3021) and
 * IPv6's subnet-router anycast address (RFC 4291 §2.6.1).
 */
function subnetEdges(subnet: Cidr): Array<readonly [bigint, bigint]> {
  const first = cidrFirst(subnet);
  const last = cidrLast(subnet);
  if (subnet.family === 4) return subnet.prefix >= 31 ? [] : [[first, first], [last, last]];
  return subnet.prefix >= 127 ? [] : [[first, first]];
}

function rangeOf(entry: string): readonly [bigint, bigint] {
  const range = parseIpRange(entry);
  if ('error' in range) throw new Error(`pool range ${entry} was not validated`);
  return [range.start, range.end];
}

function mustParse<T>(value: T | undefined, text: string): T {
  if (value === undefined) throw new Error(`pool value ${text} was not validated`);
  return value;
}
