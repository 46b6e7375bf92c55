import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Replaces a file so that a crash at any instant leaves either the old or the new content:
 * write a temp file beside it, fsync it, rename it over, fsync the directory. Synchronous on
 * purpose: it runs under the store lock in a short-lived plugin, where fs/promises would only
 * add start-up cost.
 */
export function writeFileAtomic(path: string, content: string): void {
  const temp = join(dirname(path), `.${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was created, or it is already gone.
    }
    throw error;
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
