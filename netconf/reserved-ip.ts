import * as z from 'zod/mini';
import { IPPoolSpec } from './ippool.ts';
import { parseIpRange } from './ip/index.ts';
import { ObjectName } from './names.ts';

/** ReservedIP (nicpool.io/v1, cluster-scoped): addresses no pool may hand out (design §4). */
export const ReservedIPSpec = z
  .strictObject({
    ipVersion: IPPoolSpec.def.shape.ipVersion,
    /** Addresses, ranges (a-b) or CIDRs, as in IPPool `ips`. */
    ips: z.array(z.string()).check(z.minLength(1, 'must list at least one address or range')),
  })
  .check(
    z.superRefine((spec, ctx) => {
      spec.ips.forEach((entry, index) => {
        const range = parseIpRange(entry);
        const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['ips', index], message });
        if ('error' in range) issue(range.error);
        else if (range.family !== spec.ipVersion) issue(`is not an IPv${spec.ipVersion} address or range`);
      });
    }),
  );
export type ReservedIPSpec = z.infer<typeof ReservedIPSpec>;

/**
 * Written by the controller: pods that held one of these addresses when it was reserved (the
 * reservation stops new allocations; it does not take an address from a running pod).
 */
export const ReservedIPStatus = z.strictObject({
  holders: z.optional(z.array(z.strictObject({ ip: z.string(), namespace: ObjectName, name: ObjectName }))),
});
export type ReservedIPStatus = z.infer<typeof ReservedIPStatus>;

export const ReservedIP = z.strictObject({
  apiVersion: z.optional(z.literal('nicpool.io/v1')),
  kind: z.optional(z.literal('ReservedIP')),
  metadata: z.looseObject({ name: ObjectName }),
  spec: ReservedIPSpec,
  status: z.optional(ReservedIPStatus),
});
export type ReservedIP = z.infer<typeof ReservedIP>;
