import * as z from 'zod/mini';
import { IPPoolSpec } from './ippool.ts';
import { ObjectName } from './names.ts';

/**
 * Subnet (nicpool.io/v1, cluster-scoped): a supernet from which the controller carves
 * per-application IPPools (design §4). Its address keys are IPPool's, with IPPool's field
 * schemas and IPPool's semantic checks (family, host bits, ranges inside the subnet, gateway
 * never allocatable), so a Subnet is valid exactly when a pool with the same keys would be.
 */
const poolKeys = IPPoolSpec.def.shape;
const SubnetFields = z.strictObject({
  ipVersion: poolKeys.ipVersion,
  subnet: poolKeys.subnet,
  ips: poolKeys.ips,
  excludeIPs: poolKeys.excludeIPs,
  gateway: poolKeys.gateway,
  routes: poolKeys.routes,
  vlan: poolKeys.vlan,
});

const issueKey = (issue: { path: PropertyKey[]; message: string }) => `${issue.path.map(String).join('.')}\0${issue.message}`;

export const SubnetSpec = SubnetFields.check(
  z.superRefine((spec, ctx) => {
    const parsed = IPPoolSpec.safeParse(spec);
    if (parsed.success) return;
    // A field's own refinement does not stop this check: forward only IPPool's semantic issues.
    const reported = new Set((SubnetFields.safeParse(spec).error?.issues ?? []).map(issueKey));
    for (const issue of parsed.error.issues) {
      if (reported.has(issueKey(issue))) continue;
      ctx.addIssue({ code: 'custom', path: issue.path.filter((key) => typeof key !== 'symbol'), message: issue.message });
    }
  }),
);
export type SubnetSpec = z.infer<typeof SubnetSpec>;

const Count = z.int().check(z.gte(0));

/** Written by the controller; counts cover the Subnet's `ips` minus `excludeIPs`. */
export const SubnetStatus = z.strictObject({
  allocatedIPCount: z.optional(Count),
  totalIPCount: z.optional(Count),
  /** The IPPools carved from this Subnet, by name. */
  controlledIPPools: z.optional(z.array(ObjectName)),
});
export type SubnetStatus = z.infer<typeof SubnetStatus>;

export const Subnet = z.strictObject({
  apiVersion: z.optional(z.literal('nicpool.io/v1')),
  kind: z.optional(z.literal('Subnet')),
  metadata: z.looseObject({ name: ObjectName }),
  spec: SubnetSpec,
  status: z.optional(SubnetStatus),
});
export type Subnet = z.infer<typeof Subnet>;
