import * as z from 'zod/mini';
import { InterfaceName } from './names.ts';
import { MetaPluginStandardKeys } from './netconf.ts';

const IpText = z.string();

/**
 * nicpool-router's keys in its netconf. The standard keys pass through; unknown ones are
 * refused (code 2) so a typo never silently changes routing.
 */
export const RouterConfig = z.strictObject({
  ...MetaPluginStandardKeys,
  type: z.literal('nicpool-router'),
  /** The pod NIC that keeps its routes in `main` (default eth0); a pod's own choice overrides it. */
  defaultRouteNic: z.optional(InterfaceName),
  /**
   * The node agent's socket: when set, the pod's annotation ipam.nicpool.io/default-route-nic
   * is asked of the agent (the router holds no API credentials).
   */
  agentSocket: z.optional(z.string().check(z.startsWith('/', 'must be an absolute path'))),
  /** Table of a NIC = tableBase + the NIC name's trailing number (net1 → 101), see design §8. */
  tableBase: z._default(z.int().check(z.gte(1), z.lte(0x7fff0000)), 100),
  /** Priority of the `from <ip> lookup <table>` rules. */
  rulePriority: z._default(z.int().check(z.gte(1), z.lte(32765)), 1000),
  /** Gateways to use when neither ips[].gateway nor the NIC's routes name one. */
  gateways: z.optional(z.strictObject({ ipv4: z.optional(IpText), ipv6: z.optional(IpText) })),
});
export type RouterConfig = z.infer<typeof RouterConfig>;
