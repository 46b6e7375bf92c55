import { canonicalIp, cidrContains, cidrOf, formatCidr, parseCidr, parseIp, parseIpWithPrefix, type IpFamily } from '../../netconf/ip/index.ts';
import type { CniResult } from '../../netconf/result.ts';

/** One address of the NIC being configured, with the gateway the router will use for it. */
export interface NicAddress {
  family: IpFamily;
  ip: string;
  subnet: string;
  gateway: string | undefined;
}

export interface NicView {
  addresses: NicAddress[];
  /** The NIC's own routes from prevResult (pool routes), default routes excluded. */
  routes: Array<{ family: IpFamily; dst: string; via: string | undefined }>;
}

/**
 * The addresses of `ifname` in a prevResult (ips whose interface is that sandbox NIC, or all
 * ips when the result names no interfaces), each with its gateway: ips[].gateway, else the
 * NIC's default route, else a route gateway inside the subnet (sbr misses these), else config.
 */
export function nicFromResult(result: CniResult, ifname: string, configGateways: Partial<Record<IpFamily, string>>): NicView {
  const interfaces = result.interfaces ?? [];
  const ips = (result.ips ?? []).filter((ip) => ip.interface === undefined || interfaces.length === 0 || interfaces[ip.interface]?.name === ifname);
  const routes = (result.routes ?? []).flatMap((route) => {
    const dst = parseCidr(route.dst);
    if (!dst) return [];
    return [{ family: dst.family, dst: formatCidr(dst), prefix: dst.prefix, via: route.gw === undefined ? undefined : canonicalIp(route.gw) }];
  });
  const addresses = ips.flatMap((entry) => {
    const parsed = parseIpWithPrefix(entry.address);
    if (!parsed) return [];
    const subnet = cidrOf(parsed.address, parsed.prefix);
    const family = parsed.address.family;
    const fromRoutes = routes.find((route) => route.family === family && route.prefix === 0 && route.via)?.via
      ?? routes.find((route) => route.family === family && route.via && cidrContains(subnet, parseIp(route.via) ?? parsed.address) && route.via !== canonicalIp(entry.address.split('/')[0] ?? ''))?.via;
    const gateway = (entry.gateway && canonicalIp(entry.gateway)) ?? fromRoutes ?? configGateways[family];
    return [{ family, ip: canonicalIp(entry.address.split('/')[0] ?? '') ?? '', subnet: formatCidr(subnet), gateway }];
  });
  return { addresses, routes: routes.filter((route) => route.prefix !== 0).map(({ family, dst, via }) => ({ family, dst, via })) };
}
