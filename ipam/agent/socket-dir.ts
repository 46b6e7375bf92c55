import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why the directory of the agent's socket cannot be trusted, or undefined when it can (or does
 * not exist yet). Whoever may write that directory may swap the socket and answer root's plugin
 * with a result of their choosing, so it must be owned by root (or by this process's user) and
 * writable by nobody else. Used by the agent before it listens and by the plugins before they
 * connect.
 */
export function untrustedSocketDir(socketPath: string): string | undefined {
  const dir = dirname(socketPath);
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `socket directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  if (!stat.isDirectory()) return `socket directory ${dir} is not a directory`;
  const me = process.geteuid?.() ?? 0;
  if (stat.uid !== 0 && stat.uid !== me) return `socket directory ${dir} is owned by uid ${stat.uid}, not by root; refusing to use it`;
  if ((stat.mode & 0o022) !== 0) return `socket directory ${dir} is writable by ${stat.mode & 0o002 ? 'others' : 'its group'} (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}); refusing to use it`;
  return undefined;
}
