import { fnv1a } from '../../netconf/fnv1a.ts';
import { formatIp, parseIp, RangeSet } from '../../netconf/ip/index.ts';
import { IPBLOCK_MAX_SIZE } from '../../netconf/ipblock.ts';
import { blockName } from './block-name.ts';
import type { CompiledPool } from './compiled-pool.ts';

/**
 * How the Kubernetes store cuts a pool into IPBlocks (design §8.8): the address space is
 * divided into aligned windows of 256 addresses; every window holding an allocatable address
 * of the pool is one block. A block's name and range follow from an address alone, so blocks
 * are created on first use and never enumerated — a /64 IPv6 pool has billions of windows.
 * Two pools never share an address, so an address lives in exactly one block.
 */
const windowBits = 8n;
const windowSize = BigInt(IPBLOCK_MAX_SIZE);

export interface BlockRef {
  /** Object name, from the pool and the window's first address (block-name.ts). */
  name: string;
  pool: string;
  /** The window's first address, canonical text. */
  start: string;
  startValue: bigint;
  size: number;
}

export function blockOf(pool: CompiledPool, address: bigint): BlockRef {
  const startValue = (address >> windowBits) << windowBits;
  const start = formatIp({ family: pool.family, value: startValue });
  return { name: blockName({ pool: pool.name, start }), pool: pool.name, start, startValue, size: IPBLOCK_MAX_SIZE };
}

/** The window indices (address >> 8) that hold at least one allocatable address of the pool. */
export function poolWindows(pool: CompiledPool): RangeSet {
  return RangeSet.of(pool.family, pool.allocatable.intervals().map(([start, end]) => [start >> windowBits, end >> windowBits] as const));
}

/**
 * The pool's blocks in the order a node tries them: starting at a window chosen from a hash of
 * the node's name (so nodes mostly write different blocks), then every other window once,
 * wrapping around. Lazy: a caller stops at the first block with room.
 */
export function* blocksForNode(pool: CompiledPool, nodeName: string): Generator<BlockRef> {
  const windows = poolWindows(pool);
  const count = windows.size();
  if (count === 0n) return;
  const first = BigInt(fnv1a(nodeName)) % count;
  for (let k = 0n; k < count; k++) {
    const index = nth(windows, (first + k) % count);
    yield blockOf(pool, index << windowBits);
  }
}

/** The offsets (0…255) of a block that the pool may hand out. */
export function allocatableOffsets(pool: CompiledPool, block: BlockRef): RangeSet {
  const window = RangeSet.of(pool.family, [[block.startValue, block.startValue + windowSize - 1n]]);
  const inside = pool.allocatable.intersect(window);
  return RangeSet.of(pool.family, inside.intervals().map(([start, end]) => [start - block.startValue, end - block.startValue] as const));
}

/** The n-th member (0-based) of a set, walking its intervals: O(intervals), never O(members). */
function nth(set: RangeSet, n: bigint): bigint {
  let rest = n;
  for (const [start, end] of set.intervals()) {
    const length = end - start + 1n;
    if (rest < length) return start + rest;
    rest -= length;
  }
  throw new RangeError(`index ${n} is outside a set of ${set.size()}`);
}

/** Where an address (canonical text) lives: its block's name and its offset there. */
export function locate(pool: CompiledPool, ip: string): { block: string; offset: number } {
  const value = parseIp(ip)?.value ?? -1n;
  const ref = blockOf(pool, value);
  return { block: ref.name, offset: Number(value - ref.startValue) };
}

/** The address at `offset` of the block starting at `start`. */
export function addressIn(pool: CompiledPool, start: string, offset: number): string {
  return formatIp({ family: pool.family, value: (parseIp(start)?.value ?? 0n) + BigInt(offset) });
}
