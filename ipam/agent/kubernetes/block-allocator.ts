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

/**
 * A change to some entries of one block (a release, a confirm). Edits of one block that arrive
 * together are applied one after the other to a copy of its entries and written in one
 * compare-and-swap; `apply` may run on several reads (a lost race) and must only touch `entries`.
 */
interface BlockEdit<T> {
  apply: (entries: Record<string, IPBlockAllocation>, block: IPBlock) => T;
  /** The result when the block does not exist. */
  whenAbsent: T;
}

interface WaitingEdit {
  edit: BlockEdit<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/** What a confirm found: the entry still held by its ADD (now confirmed), or gone / someone else's. */
export type Confirmation = 'confirmed' | 'released';

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
  readonly #edits = new Map<string, { waiting: WaitingEdit[]; running: boolean }>();
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
   * any, may be replaced (an earlier sandbox of the same pod); otherwise code 102. An entry of
   * the same attachment is rewritten when it differs from `holder` (a confirmed entry taken
   * again by a pending ADD becomes pending: its confirm must write, see `confirm`).
   */
  async claim(pool: CompiledPool, ip: string, holder: IPBlockAllocation, mayReplace: (current: IPBlockAllocation) => boolean): Promise<void> {
    const value = parseIp(ip)?.value;
    if (value === undefined || !pool.allocatable.has(value)) throw new CniError(CniCode.IpUnavailable, `${ip} is not allocatable from pool ${JSON.stringify(pool.name)}`);
    const ref = blockOf(pool, value);
    const offset = String(value - ref.startValue);
    await this.#update(ref, (block) => {
      const allocations = block.status?.allocations ?? {};
      const current = allocations[offset];
      if (current && sameAttachment(current, holder) && current.podUID === holder.podUID && current.pending === holder.pending) return { value: undefined };
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
    return this.#edit(name, {
      whenAbsent: [],
      apply: (entries, block) => {
        const start = parseIp(block.spec.start)!;
        const freed: Released[] = [];
        for (const [offset, entry] of Object.entries(entries)) {
          if (!pick(entry)) continue;
          freed.push({ ip: formatIp({ family: start.family, value: start.value + BigInt(offset) }), pool: block.spec.pool, entry });
          delete entries[offset];
        }
        return freed;
      },
    });
  }

  /**
   * Confirms the address `holder` took at `offset` of block `name`, once the pod's Endpoint
   * records it: a compare-and-swap that finds the same attachment there and removes its
   * `pending` flag. The write moves the block's resourceVersion, so a GC release decided on an
   * older read of the block (and of the Endpoint) loses its own compare-and-swap. "released"
   * when the entry is gone or someone else's: the GC took it back and this ADD must fail. An
   * entry already confirmed is checked on a fresh read, without a write.
   */
  confirm(name: string, offset: number, holder: IPBlockAllocation): Promise<Confirmation> {
    return this.#edit<Confirmation>(name, {
      whenAbsent: 'released',
      apply: (entries) => {
        const current = entries[String(offset)];
        if (current === undefined || !sameAttachment(current, holder) || current.podUID !== holder.podUID) return 'released';
        if (current.pending) {
          const { pending: _, ...confirmed } = current;
          entries[String(offset)] = confirmed;
        }
        return 'confirmed';
      },
    });
  }

  #edit<T>(name: string, edit: BlockEdit<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const queue = this.#edits.get(name) ?? { waiting: [], running: false };
      queue.waiting.push({ edit, resolve: resolve as (result: unknown) => void, reject });
      this.#edits.set(name, queue);
      if (queue.running) return;
      queue.running = true;
      setImmediate(() => void this.#drainEdits(name));
    });
  }

  async #drainEdits(name: string): Promise<void> {
    const queue = this.#edits.get(name)!;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      try {
        const results = await this.#editTogether(name, batch.map((waiting) => waiting.edit));
        batch.forEach((waiting, i) => waiting.resolve(results[i]));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queue.running = false;
  }

  /** One compare-and-swap applying every edit in turn; per edit, its result. */
  async #editTogether(name: string, edits: BlockEdit<unknown>[]): Promise<unknown[]> {
    const { client, cache } = this.#options;
    const read = cache.get(name) ?? (await client.getBlock(name));
    if (read === undefined) return edits.map((edit) => edit.whenAbsent);
    return updateBlock(
      client,
      name,
      (block) => {
        const original = block.status?.allocations ?? {};
        const entries = { ...original };
        const results = edits.map((edit) => edit.apply(entries, block));
        const keys = Object.keys(entries);
        const changed = keys.length !== Object.keys(original).length || keys.some((offset) => entries[offset] !== original[offset]);
        return changed ? { status: { allocations: entries }, value: results } : { value: results };
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
        const offset = String(offsetIn(ref, pick.ip));
        if (pick.status !== status) cursor = (Number(offset) + 1) % ref.size;
        status = pick.status;
        // The attachment's own entry, found again (a retried ADD): pending once more, so that
        // the confirm after this ADD's Endpoint write is a write too.
        const entry = status.allocations[offset];
        if (entry !== undefined && entry.pending !== candidate.holder.pending) status = { allocations: { ...status.allocations, [offset]: candidate.holder } };
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

/** The same attachment (sandbox and NIC): an ADD's own entry. */
function sameAttachment(a: IPBlockAllocation, b: IPBlockAllocation): boolean {
  return a.containerID === b.containerID && a.ifname === b.ifname;
}
