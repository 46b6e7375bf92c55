// A child process for the local store's multi-process tests (test/ipam/store/processes.test.ts).
//
//   store-worker.ts <dataDir> add <poolFile> <idPrefix> <count>
//     Prints "ready" once loaded, waits for "go" on stdin, then runs <count> real ADDs
//     (ipamAdd, the production path, with the invocation of fixtures.ts) for containers
//     <idPrefix>-0 .. <idPrefix>-<count-1>, printing "allocated <containerID> <ip>" after each
//     one has been committed.
//     A failed ADD prints "error <code> <message>" and exits 1; success ends with "done".
//   store-worker.ts <dataDir> lock <key>
//     Takes acquireProcessLock(key), prints "locked", and holds it until killed.
//   store-worker.ts <dataDir> hold
//     Enters an update of the local store at <dataDir>, prints "locked" from inside the
//     change and blocks there until killed: a writer stuck (or killed) mid-update.
//   store-worker.ts <dataDir> write-big <count>
//     Commits <count> more allocations at once (a write of megabytes), printing "writing" from
//     inside the change and "written" once committed: something to kill in the middle of a write.
//     A failed write prints "error <code> <message>" and exits 1.
//
// "add" (until "go") and "lock" exit when stdin closes, so a vanished parent leaves no idle
// worker behind; the others end on their own or by the parent's kill.
import { createInterface } from 'node:readline';
import { ipamAdd } from '../../ipam/cni/add.ts';
import { openLocalStore } from '../../ipam/store/local/local-store.ts';
import { acquireProcessLock } from '../../ipam/store/local/process-lock.ts';
import { asCniError } from '../../netconf/errors.ts';
import { addInvocation } from '../ipam/store/fixtures.ts';

const [dataDir, mode, ...rest] = process.argv.slice(2);
if (dataDir === undefined || mode === undefined) usage();

if (mode === 'add') await add(dataDir, rest);
else if (mode === 'lock') await lock(rest[0] ?? usage());
else if (mode === 'hold') hold(dataDir);
else if (mode === 'write-big') await writeBig(dataDir, Number(rest[0]));
else usage();

async function add(dir: string, [poolFile, prefix, countText]: string[]): Promise<void> {
  const count = Number(countText);
  if (poolFile === undefined || prefix === undefined || !Number.isInteger(count) || count < 1) usage();
  say('ready');
  if (!(await lineFromParent('go'))) process.exit(2);
  for (let i = 0; i < count; i++) {
    const containerID = `${prefix}-${i}`;
    try {
      const result = await ipamAdd(addInvocation(dir, poolFile, containerID));
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
  void openLocalStore(dir, 5_000).update(() => {
    say('locked');
    // Block inside the change, lock held, until a signal ends the process.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    throw new Error('unreachable');
  });
}

async function writeBig(dir: string, count: number): Promise<void> {
  if (!Number.isInteger(count) || count < 1) usage();
  const added = Array.from({ length: count }, (_, i) => ({
    ip: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    pool: 'big',
    containerID: `big-${i}`,
    ifname: 'eth0',
    network: 'big-net',
    allocatedAt: new Date(0).toISOString(),
  }));
  try {
    await openLocalStore(dir, 5_000).update((state) => {
      say('writing');
      return { state: { ...state, allocations: [...state.allocations, ...added] }, value: undefined };
    });
  } catch (error) {
    const cni = asCniError(error);
    say(`error ${cni.code} ${cni.message}`);
    process.exit(1);
  }
  say('written');
}

/** Resolves true when the parent sends `expected` on stdin, false if stdin ends first. */
function lineFromParent(expected: string): Promise<boolean> {
  const lines = createInterface({ input: process.stdin });
  return new Promise((resolve) => {
    lines.on('line', (line) => {
      if (line.trim() !== expected) return;
      resolve(true);
      lines.close();
      process.stdin.destroy(); // or it keeps the process alive after the last ADD
    });
    lines.on('close', () => resolve(false));
  });
}

// Pipes are synchronous on Linux: a line printed here is in the parent's pipe before any kill.
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function usage(): never {
  process.stderr.write('usage: store-worker.ts <dataDir> add <poolFile> <idPrefix> <count> | lock <key> | hold | write-big <count>\n');
  process.exit(64);
}
