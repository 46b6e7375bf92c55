import * as z from 'zod/mini';
import { canonicalIp, parseCidr, parseIp, parseIpWithPrefix } from './ip/index.ts';
import { compareVersions, type CniVersion } from './version.ts';

/**
 * CNI results. We hold them in the 1.1.0 shape and convert on the way out: 0.3.x/0.4.0 add
 * `ips[].version` and know none of 1.1.0's route and interface extras. Parsing is loose so a
 * prevResult from any plugin round-trips what we do not model.
 */
export const ResultInterface = z.looseObject({
  name: z.string(),
  mac: z.optional(z.string()),
  mtu: z.optional(z.int()),
  sandbox: z.optional(z.string()),
  socketPath: z.optional(z.string()),
  pciID: z.optional(z.string()),
});

export const ResultIp = z.looseObject({
  address: z.string(),
  gateway: z.optional(z.string()),
  interface: z.optional(z.int().check(z.nonnegative())),
  version: z.optional(z.enum(['4', '6'])),
});

export const ResultRoute = z.looseObject({
  dst: z.string(),
  gw: z.optional(z.string()),
  mtu: z.optional(z.int()),
  advmss: z.optional(z.int()),
  priority: z.optional(z.int()),
  table: z.optional(z.int()),
  scope: z.optional(z.int()),
});

export const Dns = z.object({
  nameservers: z.optional(z.array(z.string())),
  domain: z.optional(z.string()),
  search: z.optional(z.array(z.string())),
  options: z.optional(z.array(z.string())),
});
export type Dns = z.infer<typeof Dns>;

export const CniResult = z.looseObject({
  cniVersion: z.optional(z.string()),
  interfaces: z.optional(z.array(ResultInterface)),
  ips: z.optional(z.array(ResultIp)),
  routes: z.optional(z.array(ResultRoute)),
  dns: z.optional(Dns),
});
export type CniResult = z.infer<typeof CniResult>;
export type ResultIp = z.infer<typeof ResultIp>;
export type ResultRoute = z.infer<typeof ResultRoute>;

/**
 * A prevResult a meta plugin acts on: what the loose schema carries, plus the formats the spec
 * requires of what we read (addresses with a prefix length, gateways and route `gw` as IPs of
 * the right family, route `dst` as CIDRs), and no gateway that is the NIC's own address. A
 * value we would otherwise skip or misread (a garbage `gw` made a link-scope route) is refused
 * up front (code 7), naming the key.
 */
const withPrefix = z.string().check(z.refine((text) => parseIpWithPrefix(text) !== undefined, 'is not an IPv4 or IPv6 address with a prefix length such as "10.0.0.5/24"'));
const ipOnly = z.string().check(z.refine((text) => parseIp(text) !== undefined, 'is not an IPv4 or IPv6 address'));
const cidrOnly = z.string().check(z.refine((text) => parseCidr(text) !== undefined, 'is not a CIDR such as "10.0.0.0/24"'));

export const CheckedCniResult = z
  .looseObject({
    cniVersion: z.optional(z.string()),
    interfaces: z.optional(z.array(ResultInterface)),
    ips: z.optional(z.array(z.looseObject({ ...ResultIp.shape, address: withPrefix, gateway: z.optional(ipOnly) }))),
    routes: z.optional(z.array(z.looseObject({ ...ResultRoute.shape, dst: cidrOnly, gw: z.optional(ipOnly) }))),
    dns: z.optional(Dns),
  })
  .check(
    z.superRefine((result, ctx) => {
      const own = new Set((result.ips ?? []).flatMap((ip) => canonicalIp(ip.address.split('/')[0] ?? '') ?? []));
      (result.ips ?? []).forEach((ip, i) => {
        if (ip.gateway === undefined) return;
        const address = parseIpWithPrefix(ip.address)?.address;
        const gateway = parseIp(ip.gateway);
        if (address === undefined || gateway === undefined) return;
        if (gateway.family !== address.family) {
          ctx.addIssue({ code: 'custom', path: ['ips', i, 'gateway'], message: `is not an IPv${address.family} address like ips[${i}].address` });
        } else if (own.has(canonicalIp(ip.gateway) ?? '')) {
          ctx.addIssue({ code: 'custom', path: ['ips', i, 'gateway'], message: 'is an address of the result itself, not a gateway' });
        }
      });
      (result.routes ?? []).forEach((route, i) => {
        if (route.gw === undefined) return;
        const dst = parseCidr(route.dst);
        const gw = parseIp(route.gw);
        if (dst === undefined || gw === undefined) return;
        if (gw.family !== dst.family) {
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'gw'], message: `is not an IPv${dst.family} address like routes[${i}].dst` });
        } else if (own.has(canonicalIp(route.gw) ?? '')) {
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'gw'], message: 'is an address of the result itself, not a gateway' });
        }
      });
    }),
  );

const routeExtras110 = ['mtu', 'advmss', 'priority', 'table', 'scope'] as const;
const interfaceExtras110 = ['mtu', 'socketPath', 'pciID'] as const;

/** Converts a result to the shape of `version`, dropping what that version cannot carry. */
export function resultForVersion(result: CniResult, version: CniVersion): CniResult {
  const before110 = compareVersions(version, '1.1.0') < 0;
  const before100 = compareVersions(version, '1.0.0') < 0;
  const out: CniResult = { ...result, cniVersion: version };
  if (result.interfaces) {
    out.interfaces = result.interfaces.map((iface) => (before110 ? omit(iface, interfaceExtras110) : iface));
  }
  if (result.ips) {
    out.ips = result.ips.map(({ version: _dropped, ...ip }) =>
      before100 ? { ...ip, version: ip.address.includes(':') ? ('6' as const) : ('4' as const) } : ip,
    );
  }
  if (result.routes) {
    out.routes = result.routes.map((route) => (before110 ? omit(route, routeExtras110) : route));
  }
  return out;
}

function omit<T extends object, K extends string>(value: T, keys: readonly K[]): T {
  const copy = { ...value } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as T;
}
