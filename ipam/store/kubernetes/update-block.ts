import { setTimeout as delay } from 'node:timers/promises';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import type { IPBlock, IPBlockStatus } from '../../../netconf/ipblock.ts';
import type { BlockClient, ReadBlock } from './block-client.ts';

/** What a change to a block returns: a new status to write (or none) and a value for the caller. */
export interface BlockChange<T> {
  status?: IPBlockStatus;
  value: T;
}

export interface UpdateBlockOptions {
  /** Reads + writes tried before giving up with code 11 (default 16: enough for every agent of a 10-node burst to lose once to each other). */
  maxAttempts?: number;
  /** Source of jitter in [0, 1) (default Math.random). */
  jitter?: () => number;
  /** Backoff before retry n is jitter() × min(maxDelayMs, baseDelayMs × 2^(n-1)) ("full jitter"). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How to wait; tests pass one that records and returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** A read the caller already holds (a watch cache): tried first, saving a GET when current. */
  cached?: ReadBlock;
  /** Told of every write attempt, every lost race, and every block read or written (metrics, caches). */
  onWrite?: () => void;
  onConflict?: () => void;
  onSeen?: (block: ReadBlock) => void;
}

/**
 * One compare-and-swap of one block (docs/design.md §8.8): read it, run the pure `change` on
 * what was read, write the new status conditioned on the read resourceVersion. A 409 means
 * another writer got there first: re-read and run `change` again on the fresh block, after a
 * jittered backoff so that racing agents spread out instead of colliding again in lockstep.
 * Bounded: after `maxAttempts` lost races the answer is "try again later" (code 11), never a
 * guess. `change` may run several times and must not have side effects; it may throw (e.g.
 * pool exhausted) to abort without writing.
 */
export async function updateBlock<T>(client: BlockClient, name: string, change: (block: IPBlock) => BlockChange<T>, options: UpdateBlockOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 16;
  const jitter = options.jitter ?? Math.random;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));

  let read = options.cached;
  let lostRace = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (lostRace) await sleep(jitter() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2)));
    // A cached read may be stale: whatever it leads to, short of a write that succeeds, is
    // decided again on a fresh read.
    const fresh = read === undefined;
    const current = read ?? (await client.getBlock(name));
    read = undefined;
    if (current === undefined) throw new CniError(CniCode.IoFailure, `IPBlock ${name} does not exist on ${client.server}`);
    if (fresh) options.onSeen?.(current);
    let outcome: BlockChange<T>;
    try {
      outcome = change(current.block);
    } catch (error) {
      if (fresh) throw error;
      continue;
    }
    if (outcome.status === undefined) {
      if (fresh) return outcome.value;
      continue;
    }
    options.onWrite?.();
    const written = await client.replaceBlockStatus(name, outcome.status, current.resourceVersion);
    if (written.kind === 'Replaced') {
      options.onSeen?.(written);
      return outcome.value;
    }
    options.onConflict?.();
    lostRace = true;
  }
  throw new CniError(CniCode.TryAgainLater, `pool contention on block ${name}, try again later`, `${maxAttempts} compare-and-swap attempts lost to concurrent writers`);
}
