import * as z from 'zod/mini';
import { CniCode } from './errors.ts';
import { InterfaceName, ObjectName } from './names.ts';
import { parseOrThrow } from './parse.ts';

/**
 * The annotations a user sets on pods and namespaces to steer the Kubernetes store (design §4).
 * Values are JSON; a malformed one is the user's config error (code 7) naming the annotation.
 */
export const annotationKeys = {
  /** Pod: pools for its NICs, `{"ipv4": ["a"], "ipv6": ["b"]}`, optionally with `"interface"`. */
  ippool: 'ipam.nicpool.io/ippool',
  /** Pod: pools per NIC, `[{"interface": "net1", "ipv4": ["a"]}, …]`. */
  ippools: 'ipam.nicpool.io/ippools',
  /** Namespace: default pools of its pods, JSON arrays of pool names. */
  defaultIPv4Pools: 'ipam.nicpool.io/default-ipv4-ippool',
  defaultIPv6Pools: 'ipam.nicpool.io/default-ipv6-ippool',
  /** Pod: the NIC whose routes stay in `main` (nicpool-router). */
  defaultRouteNic: 'ipam.nicpool.io/default-route-nic',
  /** Workload (and so its pods): carve its pools from Subnets, `{"ipv4": ["s"]}`, optionally with "interface". */
  subnet: 'ipam.nicpool.io/subnet',
  /** Workload: Subnets per NIC, `[{"interface": "net1", "ipv4": ["s"]}, …]`. */
  subnets: 'ipam.nicpool.io/subnets',
  /** Workload: the auto-pool's size, "N" addresses or "+N" = replicas + N. */
  ipNumber: 'ipam.nicpool.io/ippool-ip-number',
  /** Workload: "false" keeps its auto-pools when it is deleted. */
  reclaim: 'ipam.nicpool.io/ippool-reclaim',
} as const;

/** The Subnet and NIC an auto-pool was carved for (labels on the IPPool the controller makes). */
export const autoPoolLabels = { subnet: 'nicpool.io/subnet', nic: 'nicpool.io/interface', owner: 'nicpool.io/owner-uid', keep: 'nicpool.io/keep' } as const;

const PoolNames = z.array(ObjectName);

/** Pools for one NIC and each family; an absent family falls through to the next source. */
export const NicPools = z.strictObject({
  interface: z.optional(InterfaceName),
  ipv4: z.optional(PoolNames),
  ipv6: z.optional(PoolNames),
});
export type NicPools = z.infer<typeof NicPools>;

const PerNicPools = z.array(NicPools.check(z.refine((entry) => entry.interface !== undefined, 'needs "interface"')));

/** Decodes one annotation's JSON value with `schema`; errors name the annotation and the value. */
export function parseAnnotation<S extends z.ZodMiniType>(schema: S, key: string, text: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return parseOrThrow(schema, text, { root: `annotation ${key}`, code: CniCode.InvalidConfig });
  }
  return parseOrThrow(schema, json, { root: `annotation ${key}`, code: CniCode.InvalidConfig });
}

/** The pools a pod's annotations name for one NIC: `ippools` by interface, else `ippool`. */
export function podPoolsFor(annotations: Readonly<Record<string, string>>, ifname: string): NicPools | undefined {
  return forNic(annotations, annotationKeys.ippools, annotationKeys.ippool, ifname);
}

/** The Subnets an object's annotations name for one NIC: `subnets` by interface, else `subnet`. */
export function subnetsFor(annotations: Readonly<Record<string, string>>, ifname: string): NicPools | undefined {
  return forNic(annotations, annotationKeys.subnets, annotationKeys.subnet, ifname);
}

/** The per-NIC annotation's entry for the NIC, else the single one when it names no other NIC. */
function forNic(annotations: Readonly<Record<string, string>>, perNicKey: string, singleKey: string, ifname: string): NicPools | undefined {
  const perNic = annotations[perNicKey];
  if (perNic !== undefined) {
    const match = parseAnnotation(PerNicPools, perNicKey, perNic).find((entry) => entry.interface === ifname);
    if (match) return match;
  }
  const single = annotations[singleKey];
  if (single === undefined) return undefined;
  const names = parseAnnotation(NicPools, singleKey, single);
  return names.interface === undefined || names.interface === ifname ? names : undefined;
}

/** Every NIC (with its Subnets) a workload's annotations ask auto-pools for; "eth0" when unnamed. */
export function subnetRequests(annotations: Readonly<Record<string, string>>): NicPools[] {
  const perNic = annotations[annotationKeys.subnets];
  if (perNic !== undefined) return parseAnnotation(PerNicPools, annotationKeys.subnets, perNic);
  const single = annotations[annotationKeys.subnet];
  if (single === undefined) return [];
  return [{ interface: 'eth0', ...parseAnnotation(NicPools, annotationKeys.subnet, single) }];
}

export const IpNumber = z.string().check(z.regex(/^\+?(0|[1-9]\d{0,5})$/, 'is not "N" or "+N" (N addresses, or replicas + N)'));

/** The auto-pool size an annotation asks for, given the workload's replicas (default "+1"). */
export function autoPoolSize(annotations: Readonly<Record<string, string>>, replicas: number): number {
  const text = parseOrThrow(IpNumber, annotations[annotationKeys.ipNumber] ?? '+1', { root: `annotation ${annotationKeys.ipNumber}`, code: CniCode.InvalidConfig });
  return text.startsWith('+') ? replicas + Number(text.slice(1)) : Number(text);
}

/** A namespace's default pools per family, from its annotations. */
export function namespacePools(annotations: Readonly<Record<string, string>>): NicPools {
  const read = (key: string) => {
    const text = annotations[key];
    return text === undefined ? undefined : parseAnnotation(PoolNames, key, text);
  };
  const ipv4 = read(annotationKeys.defaultIPv4Pools);
  const ipv6 = read(annotationKeys.defaultIPv6Pools);
  return { ...(ipv4 && { ipv4 }), ...(ipv6 && { ipv6 }) };
}
