import { CniCode, CniError } from '../../../netconf/errors.ts';
import { formatIp, parseIp } from '../../../netconf/ip/index.ts';
import type { IPBlock, IPBlockAllocation, IPBlockStatus } from '../../../netconf/ipblock.ts';
import { planBlockAllocation } from '../../allocate/plan-block.ts';
import { allocatableOffsets, blockOf, blocksForNode, type BlockRef } from '../../pools/blocks.ts';
import type { CompiledPool } from '../../pools/compiled-pool.ts';
import type { BlockClient } from '../../store/kubernetes/block-client.ts';
import { updateBlock, type UpdateBlockOptions } from '../../store/kubernetes/update-block.ts';
import type { BlockCache } from './block-cache.ts';

/** Addresses an allocation must not take (ReservedIPs): anything with `has`. */
export interface AddressFilter {
  has(value: bigint): boolean;
}

/** An address freed, with the pool and the entry that held it. */
export interface Released {
  ip: string;
  pool: string;
  entry: IPBlockAllocation;
}

interface Waiting {
  holder: IPBlockAllocation;
  avoid: AddressFilter;
  resolve: (ip: string | undefined) => void;
  reject: (error: unknown) => void;
}

interface WaitingRelease {
  pick: (entry: IPBlockAllocation) => boolean;
  resolve: (freed: Released[]) => void;
  reject: (error: unknown) => void;
}

export interface BlockAllocatorOptions {
  client: BlockClient;
  cache: BlockCache;
  nodeName: string;
  /** Retry tuning and write/conflict hooks, passed to every compare-and-swap. */
  update?: UpdateBlockOptions;
}

/**
 * Allocation on IPBlocks with coalescing (design §8.8): ADDs for one pool that arrive while an
 * update of that pool is in flight wait together and are all placed by the next
 * compare-and-swap, so N concurrent ADDs on a node cost far fewer than N writes; releases of
 * one block are batched the same way. One pool's updates run one at a time per agent;
 * different pools run in parallel.
 */
export class BlockAllocator {
  readonly #options: BlockAllocatorOptions;
  readonly #queues = new Map<string, { pool: CompiledPool; waiting: Waiting[]; running: boolean }>();
  readonly #releases = new Map<string, { waiting: WaitingRelease[]; running: boolean }>();
  /** Per block, the offset after the last one this agent handed out (not persisted: a hint). */
  readonly #cursors = new Map<string, number>();

  constructor(options: BlockAllocatorOptions) {
    this.#options = options;
  }

  /** A free address of `pool` for `holder` (its own if it holds one), or undefined when full. */
  allocate(pool: CompiledPool, holder: IPBlockAllocation, avoid: AddressFilter): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(pool.name) ?? { pool, waiting: [], running: false };
      queue.pool = pool;
      queue.waiting.push({ holder, avoid, resolve, reject });
      this.#queues.set(pool.name, queue);
      if (!queue.running) {
        queue.running = true;
        // Started on the next turn, so ADDs that arrive together are placed together.
        setImmediate(() => void this.#drain(pool.name));
      }
    });
  }

  /**
   * Takes one given address for `holder`. `mayReplace` says whether its current holder, if
   * any, may be replaced (an earlier sandbox of the same pod); otherwise code 102.
   */
  async claim(pool: CompiledPool, ip: string, holder: IPBlockAllocation, mayReplace: (current: IPBlockAllocation) => boolean): Promise<void> {
    const value = parseIp(ip)?.value;
    if (value === undefined || !pool.allocatable.has(value)) throw new CniError(CniCode.IpUnavailable, `${ip} is not allocatable from pool ${JSON.stringify(pool.name)}`);
    const ref = blockOf(pool, value);
    const offset = String(value - ref.startValue);
    await this.#update(ref, (block) => {
      const allocations = block.status?.allocations ?? {};
      const current = allocations[offset];
      if (current && current.containerID === holder.containerID && current.ifname === holder.ifname) return { value: undefined };
      if (current && !mayReplace(current)) {
        throw new CniError(CniCode.IpUnavailable, `${ip} is held by pod ${current.namespace}/${current.name} (container ${current.containerID} ${current.ifname})`);
      }
      return { status: { allocations: { ...allocations, [offset]: holder } }, value: undefined };
    });
  }

  /**
   * Frees the entries `pick` selects in block `name`; returns what it freed (nothing when the
   * block is gone). Releases of one block that arrive together share one write, as ADDs do.
   */
  releaseInBlock(name: string, pick: (entry: IPBlockAllocation) => boolean): Promise<Released[]> {
    return new Promise((resolve, reject) => {
      const queue = this.#releases.get(name) ?? { waiting: [], running: false };
      queue.waiting.push({ pick, resolve, reject });
      this.#releases.set(name, queue);
      if (queue.running) return;
      queue.running = true;
      setImmediate(() => void this.#drainReleases(name));
    });
  }

  async #drainReleases(name: string): Promise<void> {
    const queue = this.#releases.get(name)!;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      try {
        const freed = await this.#releaseTogether(name, batch.map((waiting) => waiting.pick));
        batch.forEach((waiting, i) => waiting.resolve(freed[i]!));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queue.running = false;
  }

  /** One compare-and-swap removing every entry some pick selects; per pick, what it freed. */
  async #releaseTogether(name: string, picks: ((entry: IPBlockAllocation) => boolean)[]): Promise<Released[][]> {
    const { client, cache } = this.#options;
    const read = cache.get(name) ?? (await client.getBlock(name));
    if (read === undefined) return picks.map(() => []);
    return updateBlock(
      client,
      name,
      (block) => {
        const start = parseIp(block.spec.start)!;
        const freed: Released[][] = picks.map(() => []);
        const entries = Object.entries(block.status?.allocations ?? {});
        const kept = entries.filter(([offset, entry]) => {
          const by = picks.findIndex((pick) => pick(entry));
          if (by < 0) return true;
          freed[by]!.push({ ip: formatIp({ family: start.family, value: start.value + BigInt(offset) }), pool: block.spec.pool, entry });
          return false;
        });
        return kept.length === entries.length ? { value: freed } : { status: { allocations: Object.fromEntries(kept) }, value: freed };
      },
      this.#updateOptions(read),
    );
  }

  async #drain(poolName: string): Promise<void> {
    const queue = this.#queues.get(poolName)!;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      try {
        const unplaced = await this.#place(queue.pool, batch);
        for (const waiting of unplaced) waiting.resolve(undefined);
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queue.running = false;
  }

  /**
   * Walks the pool's blocks in this node's order, placing as many of `batch` as fit in one
   * write per block. Blocks the cache shows full are skipped on the first pass and read fresh
   * on a second one only if some ADDs are still waiting: the cache may lag a release.
   */
  async #place(pool: CompiledPool, batch: Waiting[]): Promise<Waiting[]> {
    let waiting = batch;
    const skipped: BlockRef[] = [];
    for (const ref of blocksForNode(pool, this.#options.nodeName)) {
      if (waiting.length === 0) return waiting;
      if (this.#looksFull(pool, ref)) skipped.push(ref);
      else waiting = await this.#placeInBlock(pool, ref, waiting);
    }
    for (const ref of skipped) {
      if (waiting.length === 0) break;
      waiting = await this.#placeInBlock(pool, ref, waiting);
    }
    return waiting;
  }

  async #placeInBlock(pool: CompiledPool, ref: BlockRef, waiting: Waiting[]): Promise<Waiting[]> {
    const placed = await this.#update(ref, (block) => {
      const original = block.status ?? { allocations: {} };
      let status: IPBlockStatus = original;
      let cursor = this.#cursors.get(ref.name) ?? 0;
      const picks: [Waiting, string][] = [];
      for (const candidate of waiting) {
        const pick = planBlockAllocation(pool, ref, status, candidate.holder, candidate.avoid, cursor);
        if (pick === undefined) continue;
        if (pick.status !== status) cursor = (offsetIn(ref, pick.ip) + 1) % ref.size;
        status = pick.status;
        picks.push([candidate, pick.ip]);
      }
      return { ...(status !== original && { status }), value: { picks, cursor } };
    });
    this.#cursors.set(ref.name, placed.cursor);
    for (const [candidate, ip] of placed.picks) candidate.resolve(ip);
    return waiting.filter((candidate) => !placed.picks.some(([done]) => done === candidate));
  }

  #looksFull(pool: CompiledPool, ref: BlockRef): boolean {
    const cached = this.#options.cache.get(ref.name);
    if (cached === undefined) return false;
    const held = Object.keys(cached.block.status?.allocations ?? {}).length;
    return BigInt(held) >= allocatableOffsets(pool, ref).size();
  }

  /** One compare-and-swap on the block, creating it first when it does not exist yet. */
  async #update<T>(ref: BlockRef, change: (block: IPBlock) => { status?: IPBlockStatus; value: T }): Promise<T> {
    const { client, cache } = this.#options;
    let cached = cache.get(ref.name);
    if (cached === undefined) {
      const created = await client.createBlock({ pool: ref.pool, start: ref.start, size: ref.size });
      if (created.kind === 'Created') cache.remember((cached = created));
    }
    return updateBlock(client, ref.name, change, this.#updateOptions(cached));
  }

  #updateOptions(cached: UpdateBlockOptions['cached']): UpdateBlockOptions {
    const { cache, update } = this.#options;
    return {
      ...update,
      ...(cached && { cached }),
      onSeen: (seen) => {
        cache.remember(seen);
        update?.onSeen?.(seen);
      },
    };
  }
}

function offsetIn(ref: BlockRef, ip: string): number {
  return Number((parseIp(ip)?.value ?? ref.startValue) - ref.startValue);
}
