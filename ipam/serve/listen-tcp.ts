import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TcpListener {
  /** The port listened on (the one the system chose when asked for 0). */
  port: number;
  /** Stops listening and waits for requests in flight; idle keep-alive connections close at once. Idempotent. */
  stop(): Promise<void>;
}

/** Starts an HTTP(S) server on host:port; errors after start are logged, not thrown. */
export async function listenTcp(server: Server, host: string, port: number, what: string, log: (line: string) => void): Promise<TcpListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`${what} server error: ${error.message}`));
  let stopping: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      (stopping ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
  };
}
