import type { IpFamily } from '../../netconf/ip/index.ts';
import type { RoutingState } from './model.ts';
import type { NicAddress } from './nic-addresses.ts';

/** The pod's next hop over the veth: a fixed address made resolvable by a static neighbour. */
export const vethGateway: Record<IpFamily, string> = { 4: '169.254.1.1', 6: 'fe80::1' };

export interface CoordinatorPlanInput {
  podVeth: string;
  hostVeth: string;
  podMac: string;
  hostMac: string;
  /** This NIC's addresses (the node must reach each over the veth). */
  addresses: NicAddress[];
  /** Canonical CIDRs reached through the node: node IPs, Services, cluster pods, extras. */
  hijack: Array<{ family: IpFamily; cidr: string }>;
  hijackPriority: number;
  nodeTable: number;
  nodeRulePriority: number;
}

/**
 * Inside the pod: every hijacked destination goes to the node over the veth, and a rule sends
 * traffic to it through `main` before nicpool-router's per-NIC rules — so replies to node-
 * initiated connections (health checks) come back over the veth whatever NIC holds the address.
 */
export function planPodSide(input: CoordinatorPlanInput): RoutingState {
  const families = [...new Set(input.hijack.map((entry) => entry.family))];
  return {
    neighbors: families.map((family) => ({ family, ip: vethGateway[family], lladdr: input.hostMac, dev: input.podVeth })),
    routes: input.hijack.map(({ family, cidr }) => ({ family, table: 'main' as const, dst: cidr, via: vethGateway[family], dev: input.podVeth, onlink: true })),
    rules: input.hijack.map(({ family, cidr }) => ({ family, priority: input.hijackPriority, to: cidr, table: 'main' as const })),
  };
}

/** On the node: a host route and a static neighbour per pod address, in a table with one rule. */
export function planNodeSide(input: CoordinatorPlanInput): RoutingState {
  const families = [...new Set(input.addresses.map((address) => address.family))];
  return {
    routes: input.addresses.map(({ family, ip }) => ({ family, table: input.nodeTable, dst: `${ip}/${family === 4 ? 32 : 128}`, dev: input.hostVeth, scope: 'link' as const })),
    neighbors: input.addresses.map(({ family, ip }) => ({ family, ip, lladdr: input.podMac, dev: input.hostVeth })),
    rules: families.map((family) => ({ family, priority: input.nodeRulePriority, table: input.nodeTable })),
  };
}
