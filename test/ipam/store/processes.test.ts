// The local store shared by many plugin processes: real ADDs racing in child processes,
// writers and lock holders killed with -9. Children run test/support/store-worker.ts.
import test from '../../support/test.ts';
import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Result } from 'execa';
import { ipamAdd } from '../../../ipam/cni/add.ts';
import { compilePool } from '../../../ipam/pools/compiled-pool.ts';
import { openLocalStore } from '../../../ipam/store/local/local-store.ts';
import { acquireProcessLock } from '../../../ipam/store/local/process-lock.ts';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { parseIp } from '../../../netconf/ip/index.ts';
import type { IPPool } from '../../../netconf/ippool.ts';
import { emptyStoreState } from '../../../netconf/store-state.ts';
import { waitUntil, withDeadline } from '../../support/deadline.ts';
import { readFileSync } from 'node:fs';
import type { StoreState } from '../../../netconf/store-state.ts';
import { allocation, withAllocations } from './contract.ts';
import { addInvocation, inPool200, pool200, poolLarge, tempDir } from './fixtures.ts';

const workerScript = fileURLToPath(new URL('../../support/store-worker.ts', import.meta.url));

// Workers start with a warm V8 compile cache, as the built plugins do (scripts/build.ts): dozens
// of cold starts at once would spend the time budget compiling, not racing for the store.
let compileCache = '';
test.before(async () => {
  compileCache = await mkdtemp(join(tmpdir(), 'nicpool-compile-cache-'));
  const warm = execa(process.execPath, [workerScript, '/nonexistent', 'add', '/nonexistent', 'warm-up', '1'], {
    env: { NODE_COMPILE_CACHE: compileCache },
    input: '',
    reject: false,
  });
  const result = await warm;
  if (result.exitCode !== 2) throw new Error(`compile-cache warm-up: ${result.stdout} ${result.stderr}`);
});
test.after.always(async () => {
  if (compileCache !== '') await rm(compileCache, { recursive: true, force: true });
});

interface Worker {
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first line (already seen or to come) that `match` accepts; rejects at the wait deadline. */
  line(match: (line: string) => boolean): Promise<string>;
  /** Calls `watcher` after every new stdout line. */
  watch(watcher: () => void): void;
  send(line: string): void;
  kill(): void;
  /** The worker's end; rejects at the wait deadline. */
  exited(): Promise<Result>;
  stderr(): string;
}

/** `wrap`: a command that runs the worker (its last words are followed by node and the script). */
function startWorker(t: ExecutionContext, args: string[], wrap: string[] = []): Worker {
  const [file, ...before] = [...wrap, process.execPath];
  const child = execa(file!, [...before, workerScript, ...args], { buffer: false, reject: false, stdin: 'pipe', env: { NODE_COMPILE_CACHE: compileCache } });
  const lines: string[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  let stdoutEnded = false;
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const reader = createInterface({ input: child.stdout! });
  reader.on('line', (line) => {
    lines.push(line);
    for (const watcher of [...watchers]) watcher();
  });
  reader.on('close', () => {
    stdoutEnded = true;
    for (const watcher of [...watchers]) watcher();
  });
  const exited = child.then((result) => result);
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return {
    lines,
    line: (match) =>
      withDeadline(new Promise((resolve, reject) => {
        const settle = () => {
          const found = lines.find(match);
          if (found !== undefined) resolve(found);
          else if (stdoutEnded) reject(new Error(`worker ${args.join(' ')} ended first; stdout: ${lines.join(' | ')}; stderr: ${stderr}`));
          else return;
          watchers.delete(settle);
        };
        watchers.add(settle);
        settle();
      }), { what: `a line ${match} from worker ${args.join(' ')}`, lastSeen: () => ({ stdout: lines.slice(-5), stderr }) }),
    watch: (watcher) => watchers.add(watcher),
    send: (line) => child.stdin?.write(`${line}\n`),
    kill: () => child.kill('SIGKILL'),
    exited: () => withDeadline(exited, { what: `worker ${args.join(' ')} to exit`, lastSeen: () => ({ stdout: lines.slice(-5), stderr }) }),
    stderr: () => stderr,
  };
}

/** A data dir and a pool file holding `pool`, both removed after the test. */
async function setup(t: ExecutionContext, pool: IPPool): Promise<{ dataDir: string; poolFile: string }> {
  const root = await tempDir(t, 'procs');
  const poolFile = join(root, 'pools.json');
  await writeFile(poolFile, JSON.stringify([pool]));
  return { dataDir: join(root, 'data'), poolFile };
}

function startAddWorkers(t: ExecutionContext, count: number, dataDir: string, poolFile: string, addsEach: number): Worker[] {
  return Array.from({ length: count }, (_, i) => startWorker(t, [dataDir, 'add', poolFile, `w${i}`, String(addsEach)]));
}

/** Waits until every worker has loaded, then lets them all go at once. */
async function releaseAtOnce(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.line((line) => line === 'ready')));
  for (const worker of workers) worker.send('go');
}

/** "allocated <containerID> <ip>" lines: what a worker was told had been committed. */
function reported(worker: Worker): Array<{ containerID: string; ip: string }> {
  return worker.lines.flatMap((line) => {
    const [word, containerID, ip] = line.split(' ');
    return word === 'allocated' && containerID !== undefined && ip !== undefined ? [{ containerID, ip }] : [];
  });
}

/** The invariants of a consistent store: one holder per IP, one IP per attachment. */
function assertConsistent(t: ExecutionContext, state: StoreState, inPool: (ip: string) => boolean): void {
  const ips = state.allocations.map((held) => held.ip);
  t.is(new Set(ips).size, ips.length, 'an IP is held twice');
  const attachments = state.allocations.map((held) => `${held.containerID}/${held.ifname}`);
  t.is(new Set(attachments).size, attachments.length, 'an attachment holds two IPs');
  t.deepEqual(ips.filter((ip) => !inPool(ip)), [], 'allocated outside the allocatable set');
}

async function tempFiles(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir)).filter((name) => name.endsWith('.tmp'));
}

/** mulberry32: random choices the log can replay. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 2 ** 32;
  };
}

test.serial('S-20 50 processes × 4 ADDs on a 200-address pool get 200 distinct allocatable IPs; the 201st ADD is code 100', async (t) => {
  const { dataDir, poolFile } = await setup(t, pool200);
  t.is(compilePool(pool200).allocatable.size(), 200n);

  const workers = startAddWorkers(t, 50, dataDir, poolFile, 4);
  await releaseAtOnce(workers);
  const results = await Promise.all(workers.map((worker) => worker.exited()));
  results.forEach((result, i) => t.is(result.exitCode, 0, `worker ${i}: ${workers[i]!.lines.join(' | ')} ${workers[i]!.stderr()}`));

  const state = await openLocalStore(dataDir, 1_000).read();
  t.is(state.allocations.length, 200);
  assertConsistent(t, state, inPool200);
  const told = workers.flatMap(reported);
  t.is(told.length, 200);
  t.deepEqual(
    told.map(({ containerID, ip }) => `${containerID} ${ip}`).sort(),
    state.allocations.map(({ containerID, ip }) => `${containerID} ${ip}`).sort(),
    'what the workers were told differs from what the store holds',
  );

  const extra = await t.throwsAsync(ipamAdd(addInvocation(dataDir, poolFile, 'one-too-many')), { instanceOf: CniError });
  t.is((extra as CniError).code, CniCode.PoolExhausted, extra?.message);
  t.is((await openLocalStore(dataDir, 1_000).read()).allocations.length, 200);
});

test.serial('S-21 workers killed with -9 mid-burst leave a consistent store, every reported ADD kept, the lock free', async (t) => {
  const { dataDir, poolFile } = await setup(t, poolLarge);
  const allocatable = compilePool(poolLarge).allocatable;
  const inPool = (ip: string) => allocatable.has(parseIp(ip)?.value ?? -1n);
  const seed = Date.now() >>> 0;
  t.log(`seed ${seed}`);
  const random = seededRandom(seed);
  const count = 20;
  const addsEach = 25;

  // A random half dies, each after a random number (≥ 1) of its ADDs, with ≥ 5 still to go.
  const killAfter = new Map<number, number>();
  const order = Array.from({ length: count }, (_, i) => i).sort(() => random() - 0.5);
  for (const i of order.slice(0, count / 2)) killAfter.set(i, 1 + Math.floor(random() * (addsEach - 5)));

  const workers = startAddWorkers(t, count, dataDir, poolFile, addsEach);
  for (const [i, after] of killAfter) {
    const worker = workers[i]!;
    worker.watch(() => {
      if (reported(worker).length === after) worker.kill();
    });
  }
  await releaseAtOnce(workers);
  const results = await Promise.all(workers.map((worker) => worker.exited()));

  results.forEach((result, i) => {
    const lines = workers[i]!.lines;
    if (killAfter.has(i)) {
      t.is(result.signal, 'SIGKILL', `worker ${i} should have been killed mid-burst: ${lines.join(' | ')}`);
      t.false(lines.includes('done'), `worker ${i} finished before its kill landed`);
    } else {
      t.is(result.exitCode, 0, `worker ${i}: ${lines.join(' | ')} ${workers[i]!.stderr()}`);
      t.is(reported(workers[i]!).length, addsEach);
    }
  });

  const file = join(dataDir, 'allocations.json');
  const text = await readFile(file, 'utf8');
  t.notThrows(() => JSON.parse(text) as unknown, 'the file parses');
  const state = await openLocalStore(dataDir, 1_000).read();
  assertConsistent(t, state, inPool);
  const held = new Map(state.allocations.map((entry) => [entry.containerID, entry.ip]));
  const told = workers.flatMap(reported);
  t.deepEqual(told.filter(({ containerID, ip }) => held.get(containerID) !== ip), [], 'a reported ADD is missing from the store');
  // A victim may have committed one ADD it never got to report, no more.
  t.true(state.allocations.length >= told.length && state.allocations.length <= told.length + killAfter.size);
  t.log(`${told.length} ADDs reported, ${state.allocations.length} held, temp files before the next update: ${(await tempFiles(dataDir)).length}`);

  // One attempt at the lock (timeout 0): nobody may still hold it.
  const oneShot = openLocalStore(dataDir, 0);
  const after = await oneShot.update((current) => ({ state: withAllocations(current, [allocation(0)]), value: current.allocations.length }));
  t.is(after, state.allocations.length);
  t.deepEqual(await tempFiles(dataDir), []);
  const result = await ipamAdd(addInvocation(dataDir, poolFile, 'after-the-kills', 1));
  t.true(inPool(result.ips?.[0]?.address.split('/')[0] ?? ''));
});

test('S-22 a lock holder killed with -9 releases the lock at once', async (t) => {
  const key = `store-test-${randomUUID()}`;
  const holder = startWorker(t, ['/nonexistent', 'lock', key]);
  await holder.line((line) => line === 'locked');

  const busy = await t.throwsAsync(acquireProcessLock(key, 100), { instanceOf: CniError });
  t.is((busy as CniError).code, CniCode.TryAgainLater);

  holder.kill();
  t.is((await holder.exited()).signal, 'SIGKILL');
  // Timeout 0 is a single attempt: the kernel must already have let the name go.
  const release = await acquireProcessLock(key, 0);
  await t.throwsAsync(acquireProcessLock(key, 0), { instanceOf: CniError }, 'the new holder owns it');
  await release();
});

test('S-23 a lock timeout is CniError 11 naming the lock key, after the timeout and not before', async (t) => {
  const key = `store-test-${randomUUID()}`;
  const holder = startWorker(t, ['/nonexistent', 'lock', key]);
  await holder.line((line) => line === 'locked');

  const timeoutMs = 250;
  const started = performance.now();
  const error = await t.throwsAsync(acquireProcessLock(key, timeoutMs), { instanceOf: CniError });
  t.true(performance.now() - started >= timeoutMs - 1, 'gave up before its timeout');
  t.is((error as CniError).code, CniCode.TryAgainLater);
  t.true(error?.message.includes(key), error?.message);

  const other = await acquireProcessLock(`${key}-other`, 0);
  await other();
});

test('S-24 a writer killed -9 inside its update blocks others (code 11 naming the lock file and its holder) only until it dies; the state is intact', async (t) => {
  const { dataDir } = await setup(t, poolLarge);
  const committed = withAllocations(emptyStoreState(), [allocation(0), allocation(1)]);
  await openLocalStore(dataDir, 1_000).update(() => ({ state: committed, value: undefined }));

  const holder = startWorker(t, [dataDir, 'hold']);
  await holder.line((line) => line === 'locked');
  let changeRan = false;
  const busy = await t.throwsAsync(
    openLocalStore(dataDir, 200).update(() => {
      changeRan = true;
      return { value: undefined };
    }),
    { instanceOf: CniError },
  );
  t.is((busy as CniError).code, CniCode.TryAgainLater);
  t.true(busy?.message.includes(join(dataDir, 'allocations.lock')), busy?.message);
  t.false(changeRan);

  holder.kill();
  await holder.exited();
  const store = openLocalStore(dataDir, 0);
  t.deepEqual(await store.read(), committed);
  t.is(await store.update((state) => ({ state: withAllocations(state, [allocation(2)]), value: 'free' })), 'free');
  t.is((await store.read()).allocations.length, 3);
});

test('S-37 a holder in another pid namespace is waited for while it lives (code 11, lock untouched) and broken by itself once it is killed -9', async (t) => {
  const { dataDir } = await setup(t, poolLarge);
  const lock = join(dataDir, 'allocations.lock');
  const holder = startWorker(t, [dataDir, 'hold'], ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL']);
  await holder.line((line) => line === 'locked');
  const record = await readFile(lock, 'utf8');
  const owner = JSON.parse(record) as { pid: number; pidns: string };
  t.not(owner.pidns, await readlink('/proc/self/ns/pid'), 'the holder runs in another pid namespace');

  const busy = await t.throwsAsync(openLocalStore(dataDir, 300).update(() => ({ value: undefined })), { instanceOf: CniError });
  t.is((busy as CniError).code, CniCode.TryAgainLater);
  t.is(await readFile(lock, 'utf8'), record, 'a live holder is never broken');

  holder.kill(); // unshare, which takes its child (pid 1 of the namespace) with it
  await holder.exited();
  // The namespace's last process may take a moment to go; the waiter sees to it by itself.
  const store = openLocalStore(dataDir, 60_000);
  t.is(await withDeadline(store.update(() => ({ value: 'taken' })), { what: 'the store lock after its other-namespace holder was killed' }), 'taken');
});

test('S-38 a holder killed -9 but not reaped by its parent (a zombie) counts as dead: the lock is broken at once', async (t) => {
  const { dataDir } = await setup(t, poolLarge);
  const lock = join(dataDir, 'allocations.lock');
  // `sleep` becomes the worker's parent and never reaps it.
  const holder = startWorker(t, [dataDir, 'hold'], ['sh', '-c', '"$0" "$@" & exec sleep 3600']);
  await holder.line((line) => line === 'locked');
  const { pid } = JSON.parse(await readFile(lock, 'utf8')) as { pid: number };
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  process.kill(pid, 'SIGKILL');
  const state = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  };
  await waitUntil(`worker ${pid} to be a zombie`, state, (value) => value === 'Z', (check) => {
    const timer = setInterval(check, 10);
    return () => clearInterval(timer);
  });
  // One attempt (timeout 0): the zombie must be judged dead right away.
  t.is(await openLocalStore(dataDir, 0).update(() => ({ value: 'taken' })), 'taken');
  t.is(state(), 'Z', 'still a zombie when its lock was broken');
});

test('S-40 a full disk is code 5 naming the store file, never an internal error with a stack (a 64 KiB tmpfs in a private mount namespace)', async (t) => {
  const root = await tempDir(t, 'full');
  const dataDir = join(root, 'data');
  // The worker mounts a tiny tmpfs over its data dir in its own mount namespace, then writes
  // more than fits there.
  const mounted = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mkdir -p "$1" && mount -t tmpfs -o size=64k,mode=0700 tmpfs "$1" && shift && exec "$@"`, 'sh', dataDir];
  const writer = startWorker(t, [dataDir, 'write-big', '5000'], mounted);
  const line = await writer.line((text) => text.startsWith('error ') || text === 'written');
  t.is(line, `error 5 store: cannot write ${join(dataDir, 'allocations.json')}: ENOSPC (no space left on device); nothing was changed`);
  t.is((await writer.exited()).exitCode, 1);
  t.false(writer.stderr().includes('    at '), writer.stderr());
});

test.serial('S-25 a writer killed -9 in the middle of writing the file leaves the old state or the new one, never a torn file', async (t) => {
  const { dataDir } = await setup(t, poolLarge);
  const file = join(dataDir, 'allocations.json');
  const old = withAllocations(emptyStoreState(), [allocation(0), allocation(1)]);
  await openLocalStore(dataDir, 1_000).update(() => ({ state: old, value: undefined }));

  // The first change to the data (a temp file appearing, or the file itself changing; not the
  // lock) is the write beginning: kill the writer right then, deep inside a write of ~20 MB.
  const watcher = watch(dataDir);
  t.teardown(() => watcher.close());
  const writer = startWorker(t, [dataDir, 'write-big', '100000']);
  const onChange = (_event: string, name: string | Buffer | null) => {
    const file = String(name);
    if (!file.endsWith('.tmp') && file !== 'allocations.json') return;
    watcher.off('change', onChange);
    writer.kill();
  };
  watcher.on('change', onChange);
  const result = await writer.exited();
  t.is(result.signal, 'SIGKILL', `the writer ended on its own: ${writer.lines.join(' | ')} ${writer.stderr()}`);
  t.true(writer.lines.includes('writing'));

  const text = await readFile(file, 'utf8');
  let json = emptyStoreState();
  t.notThrows(() => (json = JSON.parse(text) as StoreState), 'the file is torn');
  const committed = json.allocations.length !== old.allocations.length;
  t.log(`killed ${committed ? 'after the commit' : 'before the commit'}; temp files left: ${(await tempFiles(dataDir)).length}`);
  if (!committed) t.deepEqual(json, old);
  else t.is(json.allocations.length, old.allocations.length + 100000);

  const store = openLocalStore(dataDir, 0);
  await store.update((state) => ({ state: withAllocations(state, [allocation(2)]), value: undefined }));
  t.deepEqual(await tempFiles(dataDir), []);
});
