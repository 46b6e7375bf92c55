import * as z from 'zod/mini';
import { maxValue, parseIp } from './ip/index.ts';
import { ContainerId, InterfaceName, ObjectName } from './names.ts';

/**
 * IPBlock (nicpool.io/v1, cluster-scoped): the unit of allocation of the Kubernetes store. A
 * pool's addresses are split into blocks of at most 256 consecutive addresses, each its own
 * object, so an allocation rewrites one small object (not the pool's whole list) and agents on
 * different nodes contend only when they pick the same block; optimistic concurrency is on the
 * block's resourceVersion. `status.allocations` maps the address offset from `spec.start`
 * ("0"…"255") to its holder.
 */
export const IPBLOCK_MAX_SIZE = 256;

export const IPBlockSpec = z
  .strictObject({
    /** The IPPool whose addresses these are. */
    pool: ObjectName,
    /** First address of the block. */
    start: z.string().check(z.refine((text) => parseIp(text) !== undefined, 'is not an IPv4 or IPv6 address')),
    /** Number of consecutive addresses from `start`. */
    size: z.int().check(z.gte(1), z.lte(IPBLOCK_MAX_SIZE)),
  })
  .check(
    z.superRefine((spec, ctx) => {
      const start = parseIp(spec.start);
      if (start && start.value + BigInt(spec.size) - 1n > maxValue(start.family)) {
        ctx.addIssue({ code: 'custom', path: ['size'], message: `is too large: from ${spec.start} the block would run past the last IPv${start.family} address` });
      }
    }),
  );
export type IPBlockSpec = z.infer<typeof IPBlockSpec>;

/** Who holds one address of the block: the attachment (container ID + NIC) and its pod. */
export const IPBlockAllocation = z.strictObject({
  podUID: z.string().check(z.minLength(1, 'is empty')),
  namespace: ObjectName,
  name: ObjectName,
  containerID: ContainerId,
  ifname: InterfaceName,
  node: z.string().check(z.minLength(1, 'is empty')),
  /** When it was allocated (RFC 3339, UTC, the agent's clock): information only, no rule compares it with another clock. */
  at: z.iso.datetime(),
  /**
   * Written by an ADD that has not yet confirmed the address; its confirm, a compare-and-swap
   * made after the pod's Endpoint records the address, removes the flag (design §8.8). An entry
   * without it is confirmed (entries written before the flag existed included).
   */
  pending: z.optional(z.boolean()),
  /** netconf `name`: CNI GC only touches its own network's allocations (docs/design.md §8.4). */
  network: z.optional(z.string().check(z.minLength(1, 'is empty'))),
});
export type IPBlockAllocation = z.infer<typeof IPBlockAllocation>;

/** Offsets are decimal without leading zeros, so each address has exactly one key. */
export const OFFSET_PATTERN = /^(0|[1-9][0-9]{0,2})$/;

export const IPBlockStatus = z.strictObject({
  /** Offset → holder; offsets are checked with the block's size (IPBlock). */
  allocations: z._default(z.record(z.string(), IPBlockAllocation), {}),
});
export type IPBlockStatus = z.infer<typeof IPBlockStatus>;

export const IPBlock = z
  .strictObject({
    apiVersion: z.optional(z.literal('nicpool.io/v1')),
    kind: z.optional(z.literal('IPBlock')),
    metadata: z.looseObject({ name: ObjectName }),
    spec: IPBlockSpec,
    status: z.optional(IPBlockStatus),
  })
  .check(
    z.superRefine((block, ctx) => {
      const held = new Map<string, string>();
      for (const [offset, allocation] of Object.entries(block.status?.allocations ?? {})) {
        if (!OFFSET_PATTERN.test(offset)) {
          ctx.addIssue({ code: 'custom', path: ['status', 'allocations', offset], message: 'is keyed by no address offset (0…255, no leading zeros)' });
        } else if (Number(offset) >= block.spec.size) {
          ctx.addIssue({ code: 'custom', path: ['status', 'allocations', offset], message: `lies past the end of the block (size ${block.spec.size})` });
        }
        const attachment = `${allocation.containerID}/${allocation.ifname}`;
        const other = held.get(attachment);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['status', 'allocations', offset], message: `is held by attachment ${attachment}, which already holds offset ${other}` });
        }
        held.set(attachment, offset);
      }
    }),
  );
export type IPBlock = z.infer<typeof IPBlock>;
