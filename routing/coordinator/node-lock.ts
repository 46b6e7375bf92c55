import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { acquireFileLock } from '../../ipam/store/local/file-lock.ts';

/** Root-only, beside the agent's socket; `NICPOOL_LOCK_DIR` moves it (tests). */
const lockDir = () => process.env['NICPOOL_LOCK_DIR'] ?? '/run/nicpool';
/** Holders keep it for a few `ip` processes; a dead holder's lock is broken at once. */
const timeoutMs = 30_000;

/**
 * Runs `change` holding the node's coordinator lock: what the pods of a node share there (the
 * rule that sends traffic to the pods' table) is read and changed by one ADD or DEL at a time.
 * The store's file lock (ipam/store/local/file-lock.ts): it names its holder, so a holder
 * killed with -9 never blocks the next one. One lock per node network namespace (its inode).
 */
export async function withNodeLock<T>(change: () => Promise<T>): Promise<T> {
  mkdirSync(lockDir(), { recursive: true, mode: 0o700 });
  const lockPath = path.join(lockDir(), `coordinator-netns-${statSync('/proc/self/ns/net').ino}.lock`);
  const release = await acquireFileLock(lockPath, timeoutMs);
  try {
    return await change();
  } finally {
    release();
  }
}
