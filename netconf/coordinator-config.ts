import * as z from 'zod/mini';
import { InterfaceName } from './names.ts';
import { MetaPluginStandardKeys } from './netconf.ts';

/** Tables the kernel sets up itself: 253 default, 254 main, 255 local (0 is refused as < 1). */
const reservedTables = [253, 254, 255];

/**
 * nicpool-coordinator's keys. The standard keys pass through; unknown ones are refused (code 2).
 * CIDR lists are checked by the coordinator itself, which names the bad entry.
 */
export const CoordinatorConfig = z.strictObject({
  ...MetaPluginStandardKeys,
  type: z.literal('nicpool-coordinator'),
  /** The pod end of the veth to the node. */
  podVethName: z._default(InterfaceName, 'veth-node'),
  /** Service CIDRs, reached through the node (kube-proxy). */
  serviceCidrs: z._default(z.array(z.string()), []),
  /** The cluster's pod CIDRs, reached through the node (the cluster network). */
  clusterCidrs: z._default(z.array(z.string()), []),
  /** Any other destinations to send through the node. */
  hijackCidrs: z._default(z.array(z.string()), []),
  /** Priority of the pod's `to <cidr> lookup main` rules: before nicpool-router's (1000). */
  hijackPriority: z._default(z.int().check(z.gte(1), z.lte(32765)), 900),
  /** Node-side table holding a /32 or /128 route per pod address, and its rule's priority. */
  nodeTable: z._default(
    z.int().check(
      z.gte(1),
      z.lte(0x7fff0000),
      // DEL removes the rule that looks the table up once the table is empty: on a kernel table
      // it would leave (or remove) the node's own `lookup main`.
      z.refine((table) => !reservedTables.includes(table), 'is a table the kernel reserves (253 default, 254 main, 255 local)'),
    ),
    500,
  ),
  nodeRulePriority: z._default(z.int().check(z.gte(1), z.lte(32765)), 500),
  /** First bytes of the pod NIC's MAC ("0e:01"), the rest from its IPv4: stable across re-creation. */
  macPrefix: z.optional(
    z.string().check(
      z.regex(/^[0-9a-f]{2}:[0-9a-f]{2}$/, 'is not two MAC bytes such as "0e:01"'),
      // The first byte's lowest bit marks a group address, which no NIC may carry.
      z.refine((prefix) => (Number.parseInt(prefix.slice(0, 2), 16) & 1) === 0, 'is a multicast prefix (the first byte is odd); use an even first byte such as "0e"'),
    ),
  ),
  /** Announce the NIC's IPv4 with gratuitous ARP after setup (arping -U). */
  announce: z._default(z.boolean(), true),
  /** Fail ADD (code 110) when another host answers for the NIC's IPv4 (arping -D). */
  detectIPConflict: z._default(z.boolean(), false),
  /** Fail ADD (code 111) when the NIC's gateway does not answer (arping / ping -6). */
  detectGateway: z._default(z.boolean(), false),
});
export type CoordinatorConfig = z.infer<typeof CoordinatorConfig>;
