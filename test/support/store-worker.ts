// A child process for the local store's multi-process tests (test/ipam/store/processes.test.ts).
//
//   store-worker.ts <dataDir> add <poolFile> <idPrefix> <count>
//     Prints "ready" once loaded, waits for "go" on stdin, then runs <count> real ADDs
//     (ipamAdd, the production path) for containers <idPrefix>-0 .. <idPrefix>-<count-1>,
//     printing "allocated <containerID> <ip>" after each one has been committed.
//     A failed ADD prints "error <code> <message>" and exits 1; success ends with "done".
//   store-worker.ts <dataDir> lock <key>
//     Takes acquireProcessLock(key), prints "locked", and holds it until killed.
//   store-worker.ts <dataDir> hold
//     Enters an update of the local store at <dataDir>, prints "locked" from inside the
//     change and blocks there until killed: a writer stuck (or killed) mid-update.
//
// Lock holders also exit when stdin closes, so a vanished parent leaves no holder behind.
import { createInterface } from 'node:readline';
import { ipamAdd } from '../../ipam/cni/add.ts';
import type { IpamInvocation } from '../../ipam/cni/invocation.ts';
import { openLocalStore } from '../../ipam/store/local/local-store.ts';
import { acquireProcessLock } from '../../ipam/store/local/process-lock.ts';
import { asCniError } from '../../netconf/errors.ts';

export const workerNetwork = 'store-test-net';
export const workerPool = 'store-test-pool';

const [dataDir, mode, ...rest] = process.argv.slice(2);
if (dataDir === undefined || mode === undefined) usage();

if (mode === 'add') await add(dataDir, rest);
else if (mode === 'lock') await lock(rest[0] ?? usage());
else if (mode === 'hold') hold(dataDir);
else usage();

async function add(dir: string, [poolFile, prefix, countText]: string[]): Promise<void> {
  const count = Number(countText);
  if (poolFile === undefined || prefix === undefined || !Number.isInteger(count) || count < 1) usage();
  say('ready');
  if (!(await lineFromParent('go'))) process.exit(2);
  for (let i = 0; i < count; i++) {
    const containerID = `${prefix}-${i}`;
    try {
      const result = await ipamAdd(invocation(dir, poolFile, containerID));
      const address = result.ips?.[0]?.address.split('/')[0];
      say(`allocated ${containerID} ${address}`);
    } catch (error) {
      const cni = asCniError(error);
      say(`error ${cni.code} ${cni.message}`);
      process.exit(1);
    }
  }
  say('done');
}

async function lock(key: string): Promise<void> {
  await acquireProcessLock(key, 5_000);
  say('locked');
  process.stdin.on('end', () => process.exit(0)).resume();
}

function hold(dir: string): void {
  process.stdin.on('end', () => process.exit(0)).resume();
  void openLocalStore(dir, 5_000).update(() => {
    say('locked');
    // Block inside the change, lock held, until a signal ends the process.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    throw new Error('unreachable');
  });
}

/** An ADD as the plugin would run it: one IPv4 address from the network's default pool. */
export function invocation(dir: string, poolFile: string, containerID: string): IpamInvocation {
  return {
    conf: {
      cniVersion: '1.1.0',
      name: workerNetwork,
      type: 'nicpool',
      ipam: { type: 'nicpool-ipam', dataDir: dir, poolFile, defaultIPv4Pools: [workerPool], nodeName: 'node-a', lockTimeoutMs: 60_000 },
    },
    env: { command: 'ADD', containerId: containerID, netns: '/var/run/netns/test', ifname: 'eth0', args: '', path: [] },
    args: {},
  };
}

/** Resolves true when the parent sends `expected` on stdin, false if stdin ends first. */
function lineFromParent(expected: string): Promise<boolean> {
  const lines = createInterface({ input: process.stdin });
  return new Promise((resolve) => {
    lines.on('line', (line) => {
      if (line.trim() !== expected) return;
      lines.close();
      resolve(true);
    });
    lines.on('close', () => resolve(false));
  });
}

// Pipes are synchronous on Linux: a line printed here is in the parent's pipe before any kill.
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function usage(): never {
  process.stderr.write('usage: store-worker.ts <dataDir> add <poolFile> <idPrefix> <count> | lock <key> | hold\n');
  process.exit(64);
}
