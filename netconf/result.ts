import * as z from 'zod';
import { compareVersions, type CniVersion } from './version.ts';

/**
 * CNI results. We hold them in the 1.1.0 shape and convert on the way out: 0.3.x/0.4.0 add
 * `ips[].version` and know none of 1.1.0's route and interface extras. Parsing is loose so a
 * prevResult from any plugin round-trips what we do not model.
 */
export const ResultInterface = z.looseObject({
  name: z.string(),
  mac: z.string().optional(),
  mtu: z.number().int().optional(),
  sandbox: z.string().optional(),
  socketPath: z.string().optional(),
  pciID: z.string().optional(),
});

export const ResultIp = z.looseObject({
  address: z.string(),
  gateway: z.string().optional(),
  interface: z.number().int().nonnegative().optional(),
  version: z.enum(['4', '6']).optional(),
});

export const ResultRoute = z.looseObject({
  dst: z.string(),
  gw: z.string().optional(),
  mtu: z.number().int().optional(),
  advmss: z.number().int().optional(),
  priority: z.number().int().optional(),
  table: z.number().int().optional(),
  scope: z.number().int().optional(),
});

export const Dns = z.object({
  nameservers: z.array(z.string()).optional(),
  domain: z.string().optional(),
  search: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
});
export type Dns = z.infer<typeof Dns>;

export const CniResult = z.looseObject({
  cniVersion: z.string().optional(),
  interfaces: z.array(ResultInterface).optional(),
  ips: z.array(ResultIp).optional(),
  routes: z.array(ResultRoute).optional(),
  dns: Dns.optional(),
});
export type CniResult = z.infer<typeof CniResult>;
export type ResultIp = z.infer<typeof ResultIp>;
export type ResultRoute = z.infer<typeof ResultRoute>;

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
