import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import { emptyStoreState, StoreState } from '../../../netconf/store-state.ts';
import type { IpamStore, StoreChange } from '../store.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { acquireProcessLock } from './process-lock.ts';

/**
 * The embedded store: one JSON file per node (dataDir/allocations.json), changed under a
 * node-wide lock and replaced atomically. Meant for the few hundred pods of one node.
 */
export function openLocalStore(dataDir: string, lockTimeoutMs: number): IpamStore {
  const file = join(dataDir, 'allocations.json');

  const read = async (): Promise<StoreState> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
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
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const release = await acquireProcessLock(file, lockTimeoutMs);
    try {
      await removeOrphanTempFiles(dataDir);
      const outcome = change(await read());
      if (outcome.state) await writeFileAtomic(file, `${JSON.stringify(outcome.state, null, 1)}\n`);
      return outcome.value;
    } finally {
      await release();
    }
  };

  return { read, update };
}

/** Temp files of a writer killed before its rename; only ever removed under the lock. */
async function removeOrphanTempFiles(dataDir: string): Promise<void> {
  const names = await readdir(dataDir);
  await Promise.all(names.filter((name) => name.endsWith('.tmp')).map((name) => unlink(join(dataDir, name)).catch(() => undefined)));
}
