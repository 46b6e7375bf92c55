import { formatIp } from '../../netconf/ip/index.ts';
import type { IPBlockAllocation, IPBlockStatus } from '../../netconf/ipblock.ts';
import { allocatableOffsets, type BlockRef } from '../pools/blocks.ts';
import type { CompiledPool } from '../pools/compiled-pool.ts';

export interface BlockPick {
  status: IPBlockStatus;
  ip: string;
}

/**
 * One allocation inside one block (pure): the attachment's existing address there if it holds
 * one (a repeated ADD), else the first allocatable offset from `startAt` (wrapping around) that
 * nobody holds and `avoid` does not name (reserved addresses). Callers start after the last
 * offset they handed out, so a just-freed address is the last to be reused. Undefined when the
 * block is full: the caller moves to the next block.
 */
export function planBlockAllocation(
  pool: CompiledPool,
  block: BlockRef,
  status: IPBlockStatus,
  holder: IPBlockAllocation,
  avoid: { has(value: bigint): boolean } = new Set<bigint>(),
  startAt = 0,
): BlockPick | undefined {
  const ipOf = (offset: number) => formatIp({ family: pool.family, value: block.startValue + BigInt(offset) });
  const held = Object.entries(status.allocations).find(([, entry]) => entry.containerID === holder.containerID && entry.ifname === holder.ifname);
  if (held) return { status, ip: ipOf(Number(held[0])) };
  const offsets = allocatableOffsets(pool, block).intervals();
  const isFree = (offset: number) => status.allocations[String(offset)] === undefined && !avoid.has(block.startValue + BigInt(offset));
  for (const [from, to] of [[startAt, block.size - 1], [0, startAt - 1]] as const) {
    for (const [start, end] of offsets) {
      for (let offset = Math.max(Number(start), from); offset <= Math.min(Number(end), to); offset++) {
        if (isFree(offset)) return { status: { allocations: { ...status.allocations, [String(offset)]: holder } }, ip: ipOf(offset) };
      }
    }
  }
  return undefined;
}

/** Removes an attachment's entries from a block; the same status object when it held none. */
export function planBlockRelease(status: IPBlockStatus, attachment: { containerID: string; ifname: string }): IPBlockStatus {
  const kept = Object.entries(status.allocations).filter(([, entry]) => !(entry.containerID === attachment.containerID && entry.ifname === attachment.ifname));
  return kept.length === Object.keys(status.allocations).length ? status : { allocations: Object.fromEntries(kept) };
}
