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
} as const;

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
  const perNic = annotations[annotationKeys.ippools];
  if (perNic !== undefined) {
    const match = parseAnnotation(PerNicPools, annotationKeys.ippools, perNic).find((entry) => entry.interface === ifname);
    if (match) return match;
  }
  const single = annotations[annotationKeys.ippool];
  if (single === undefined) return undefined;
  const pools = parseAnnotation(NicPools, annotationKeys.ippool, single);
  return pools.interface === undefined || pools.interface === ifname ? pools : undefined;
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
