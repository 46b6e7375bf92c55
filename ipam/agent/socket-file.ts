import { lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { untrustedSocketDir } from './socket-dir.ts';

/**
 * Readies the agent's socket path: its directory exists (created 0700, root-only), and a socket
 * file left by a dead agent is removed — but only when connecting to it is refused. If another
 * agent answers, or the path is not a socket, starting would steal or destroy something: throw.
 * A directory that existed already must be root's and writable by nobody else (socket-dir.ts).
 */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  const untrusted = untrustedSocketDir(socketPath);
  if (untrusted !== undefined) throw new Error(untrusted);
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!isSocket) throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  if (await answers(socketPath)) throw new Error(`another agent answers on ${socketPath}; refusing to start`);
  unlinkSync(socketPath);
}

/** True when something accepts connections on the socket, false when they are refused. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(new Error(`cannot tell whether ${socketPath} is in use: ${error.message}`));
    });
  });
}
