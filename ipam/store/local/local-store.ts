import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import { emptyStoreState, StoreState } from '../../../netconf/store-state.ts';
import type { IpamStore, StoreChange } from '../store.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { acquireFileLock } from './file-lock.ts';

/**
 * The embedded store: one JSON file per node (dataDir/allocations.json), changed under a
 * node-wide lock and replaced atomically. Meant for the few hundred pods of one node. File
 * calls are synchronous: they are short, run under the lock, and spare a plugin the start-up
 * cost of fs/promises.
 */
export function openLocalStore(dataDir: string, lockTimeoutMs: number): IpamStore {
  const file = join(dataDir, 'allocations.json');

  const read = async (): Promise<StoreState> => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyStoreState();
      throw new CniError(CniCode.IoFailure, `store: cannot read ${file}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CniError(CniCode.IoFailure, `store: ${file} is not valid JSON (${(error as Error).message}); it is only ever replaced whole, so this needs a look`);
    }
    return parseOrThrow(StoreState, json, { root: file, code: CniCode.IoFailure });
  };

  const update = async <T>(change: (state: StoreState) => StoreChange<T>): Promise<T> => {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The lock file lives beside the data: a dataDir reached through a symlink or a bind mount
    // is the same store and takes the same lock.
    const release = await acquireFileLock(join(dataDir, 'allocations.lock'), lockTimeoutMs);
    try {
      removeOrphanTempFiles(dataDir);
      const outcome = change(await read());
      if (outcome.state) writeOrIoError(file, `${JSON.stringify(outcome.state, null, 1)}\n`);
      return outcome.value;
    } finally {
      release();
    }
  };

  return { read, update };
}

/**
 * A write the disk refuses (full, failing, read-only, over quota) is code 5 naming the file,
 * not an internal error: nothing was committed (the old file stands), and the node needs a look.
 */
function writeOrIoError(file: string, content: string): void {
  try {
    writeFileAtomic(file, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new CniError(CniCode.IoFailure, `store: cannot write ${file}: ${code} (${(error as Error).message.replace(/^[A-Z]+: /, '').split(',')[0]}); nothing was changed`);
  }
}

/**
 * Temp files of a writer killed before its rename, and lock candidates of a waiter killed
 * before it cleared its own; only ever removed under the lock (a live waiter whose candidate
 * vanishes simply tries again).
 */
function removeOrphanTempFiles(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!name.endsWith('.tmp') && !name.endsWith('.cand')) continue;
    try {
      unlinkSync(join(dataDir, name));
    } catch {
      // Already gone.
    }
  }
}
