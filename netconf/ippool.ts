import * as z from 'zod/mini';
import { cidrContains, parseCidr, parseIp, parseIpRange, type IpFamily } from './ip/index.ts';
import { LabelSelector } from './label-selector.ts';
import { ObjectName } from './names.ts';
import { Dns } from './result.ts';

/**
 * IPPool, the same object in a local pool file and in the Kubernetes API (nicpool.io/v1).
 * Field names follow design §4; `fixedIPs` is the local-mode rule for pods that must keep their
 * address when re-created under the same name (see docs/design.md, "Fixed IPs").
 */
const IpText = z.string().check(z.refine((text) => parseIp(text) !== undefined, 'is not an IPv4 or IPv6 address'));
const CidrText = z.string().check(z.refine((text) => parseCidr(text) !== undefined, 'is not a CIDR such as 10.6.0.0/24 or fd00::/64'));

export const PoolRoute = z.strictObject({ dst: CidrText, gw: IpText });

export const IPPoolSpec = z
  .strictObject({
    ipVersion: z.union([z.literal(4), z.literal(6)]),
    subnet: CidrText,
    ips: z.array(z.string()).check(z.minLength(1, 'must list at least one address or range')),
    excludeIPs: z.optional(z.array(z.string())),
    gateway: z.optional(IpText),
    routes: z.optional(z.array(PoolRoute)),
    vlan: z.optional(z.int().check(z.gte(0), z.lte(4094))),
    default: z.optional(z.boolean()),
    disable: z.optional(z.boolean()),
    nodeAffinity: z.optional(LabelSelector),
    namespaceAffinity: z.optional(LabelSelector),
    podAffinity: z.optional(LabelSelector),
    multusName: z.optional(z.array(z.string().check(z.minLength(1)))),
    dns: z.optional(Dns),
    fixedIPs: z.optional(z.boolean()),
  })
  .check(z.superRefine((spec, ctx) => {
    const family = spec.ipVersion;
    const subnet = parseCidr(spec.subnet);
    if (!subnet) return; // already reported by the field schema
    if (subnet.family !== family) {
      ctx.addIssue({ code: 'custom', path: ['subnet'], message: `is not an IPv${family} subnet (ipVersion is ${family})` });
      return;
    }
    if (parseIp(spec.subnet.split('/')[0] ?? '')?.value !== subnet.base) {
      ctx.addIssue({ code: 'custom', path: ['subnet'], message: 'has host bits set' });
    }
    const checkRanges = (key: 'ips' | 'excludeIPs', entries: string[]) =>
      entries.forEach((entry, index) => {
        const range = parseIpRange(entry);
        const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [key, index], message });
        if ('error' in range) issue(range.error);
        else if (range.family !== family) issue(`is not an IPv${family} address or range`);
        else if (!rangeInside(family, range.start, range.end, subnet)) issue(`lies outside subnet ${spec.subnet}`);
      });
    checkRanges('ips', spec.ips);
    checkRanges('excludeIPs', spec.excludeIPs ?? []);

    const checkHost = (path: (string | number)[], text: string | undefined) => {
      if (text === undefined) return;
      const ip = parseIp(text);
      if (!ip) return;
      if (ip.family !== family) ctx.addIssue({ code: 'custom', path, message: `is not an IPv${family} address` });
      else if (!cidrContains(subnet, ip)) ctx.addIssue({ code: 'custom', path, message: `lies outside subnet ${spec.subnet}` });
    };
    checkHost(['gateway'], spec.gateway);
    const gateway = spec.gateway === undefined ? undefined : parseIp(spec.gateway);
    if (gateway && gateway.family === family && !(spec.excludeIPs ?? []).some((entry) => rangeHas(entry, gateway.value))) {
      if (spec.ips.some((entry) => rangeHas(entry, gateway.value))) {
        ctx.addIssue({ code: 'custom', path: ['gateway'], message: 'lies inside ips (a gateway is never allocated; exclude it or move it)' });
      }
    }
    (spec.routes ?? []).forEach((route, index) => {
      const dst = parseCidr(route.dst);
      if (dst && dst.family !== family) ctx.addIssue({ code: 'custom', path: ['routes', index, 'dst'], message: `is not an IPv${family} CIDR` });
      checkHost(['routes', index, 'gw'], route.gw);
    });
  }));
export type IPPoolSpec = z.infer<typeof IPPoolSpec>;

export const IPPool = z.strictObject({
  apiVersion: z.optional(z.literal('nicpool.io/v1')),
  kind: z.optional(z.literal('IPPool')),
  /** Labels matter to the Kubernetes store: auto-pools carry their Subnet and NIC in them. */
  metadata: z.looseObject({ name: ObjectName, labels: z.optional(z.record(z.string(), z.string())) }),
  spec: IPPoolSpec,
  status: z.optional(z.looseObject({})),
});
export type IPPool = z.infer<typeof IPPool>;

function rangeInside(family: IpFamily, start: bigint, end: bigint, subnet: NonNullable<ReturnType<typeof parseCidr>>): boolean {
  return cidrContains(subnet, { family, value: start }) && cidrContains(subnet, { family, value: end });
}

function rangeHas(entry: string, value: bigint): boolean {
  const range = parseIpRange(entry);
  return !('error' in range) && range.start <= value && value <= range.end;
}
