import { createServer, type Server } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { fnv1a } from '../../../netconf/fnv1a.ts';

/**
 * A lock shared by every process on the node, held as a bound *abstract* unix socket.
 * Node has no flock; a lock file would outlive a holder killed with -9 and block every later
 * ADD. The kernel releases an abstract socket the instant its owner dies, so there is no
 * stale lock to detect or break. Abstract names are per network namespace: every process
 * sharing a store must run in the same one (runtimes exec CNI plugins in the host's).
 */
export async function acquireProcessLock(key: string, timeoutMs: number, label = key): Promise<() => Promise<void>> {
  // The readable tail is ASCII only: a non-ASCII path would overflow the 107-byte name (EINVAL).
  const name = `\0nicpool-lock-${fnv1a(key).toString(16)}-${key.slice(-64).replace(/[^ -~]/g, '_')}`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const server = await tryListen(name, label);
    if (server) return () => new Promise<void>((resolve) => server.close(() => resolve()));
    if (Date.now() >= deadline) {
      throw new CniError(CniCode.TryAgainLater, `store lock for ${label} still busy after ${timeoutMs} ms`);
    }
    // Short, jittered, growing waits: holders keep the lock for a few milliseconds.
    await delay(Math.min(20, 1 + attempt) * (0.5 + Math.random()));
  }
}

function tryListen(name: string, label: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(new CniError(CniCode.IoFailure, `store lock for ${label}: ${error.code ?? error.message}`));
    });
    server.listen(name, () => resolve(server));
  });
}
