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
 * one (a repeated ADD), else the lowest allocatable offset nobody holds and `avoid` does not
 * name (addresses reserved or kept for fixed-IP pods elsewhere). Undefined when the block is
 * full: the caller moves to the next block.
 */
export function planBlockAllocation(
  pool: CompiledPool,
  block: BlockRef,
  status: IPBlockStatus,
  holder: IPBlockAllocation,
  avoid: ReadonlySet<bigint> = new Set(),
): BlockPick | undefined {
  const ipOf = (offset: number) => formatIp({ family: pool.family, value: block.startValue + BigInt(offset) });
  const held = Object.entries(status.allocations).find(([, entry]) => entry.containerID === holder.containerID && entry.ifname === holder.ifname);
  if (held) return { status, ip: ipOf(Number(held[0])) };
  for (const [start, end] of allocatableOffsets(pool, block).intervals()) {
    for (let offset = Number(start); offset <= Number(end); offset++) {
      if (status.allocations[String(offset)] !== undefined || avoid.has(block.startValue + BigInt(offset))) continue;
      return { status: { allocations: { ...status.allocations, [String(offset)]: holder } }, ip: ipOf(offset) };
    }
  }
  return undefined;
}

/** Removes an attachment's entries from a block; the same status object when it held none. */
export function planBlockRelease(status: IPBlockStatus, attachment: { containerID: string; ifname: string }): IPBlockStatus {
  const kept = Object.entries(status.allocations).filter(([, entry]) => !(entry.containerID === attachment.containerID && entry.ifname === attachment.ifname));
  return kept.length === Object.keys(status.allocations).length ? status : { allocations: Object.fromEntries(kept) };
}
