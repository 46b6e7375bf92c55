// The store's file lock: who holds it is written in the file, and only a provably dead holder
// (gone, pid reused, earlier boot) is broken. Lock files are written by hand to stage holders.
import type { ExecutionContext } from 'ava';
import test from '../../support/test.ts';
import { execa } from 'execa';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquireFileLock } from '../../../ipam/store/local/file-lock.ts';
import { CniCode, CniError } from '../../../netconf/errors.ts';

async function lockPath(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-filelock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'allocations.lock');
}

async function me(): Promise<{ pid: number; start: string; pidns: string; boot: string }> {
  const stat = await readFile(`/proc/${process.pid}/stat`, 'utf8');
  return {
    pid: process.pid,
    start: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '',
    pidns: await readlink('/proc/self/ns/pid'),
    boot: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim(),
  };
}

/** Takes the lock in one attempt (timeout 0): it must be free or breakable right now. */
async function takesAtOnce(t: ExecutionContext, file: string): Promise<void> {
  const release = await acquireFileLock(file, 0);
  t.regex(await readFile(file, 'utf8'), new RegExp(`"pid":${process.pid}\\b`));
  release();
  t.false(existsSync(file), 'release removes the lock file');
}

test('S-30 a lock file of a process that has exited is broken at once', async (t) => {
  const file = await lockPath(t);
  const child = execa('true');
  const pid = child.pid;
  await child;
  await writeFile(file, JSON.stringify({ ...(await me()), pid }));
  await takesAtOnce(t, file);
});

test('S-31 a lock file naming a live pid with another start time (a reused pid) is broken at once', async (t) => {
  const file = await lockPath(t);
  await writeFile(file, JSON.stringify({ ...(await me()), start: '1' }));
  await takesAtOnce(t, file);
});

test('S-32 a lock file from an earlier boot is broken at once', async (t) => {
  const file = await lockPath(t);
  await writeFile(file, JSON.stringify({ ...(await me()), boot: 'an-earlier-boot' }));
  await takesAtOnce(t, file);
});

test('S-33 a lock file that is not a holder record is broken at once', async (t) => {
  const file = await lockPath(t);
  await writeFile(file, '');
  await takesAtOnce(t, file);
});

test('S-34 a holder in another pid namespace is waited for while the lock FIFO has a reader, never broken: code 11 naming the file and pid', async (t) => {
  const file = await lockPath(t);
  const record = JSON.stringify({ ...(await me()), pid: 1, pidns: 'pid:[1]' });
  await writeFile(file, record);
  // Its pid means nothing here; the read end it keeps open on <lock>.live says it lives.
  await execa('mkfifo', ['-m', '0600', `${file}.live`]);
  const reader = openSync(`${file}.live`, constants.O_RDONLY | constants.O_NONBLOCK);
  t.teardown(() => closeSync(reader));
  const error = await t.throwsAsync(acquireFileLock(file, 50), { instanceOf: CniError });
  t.is(error?.code, CniCode.TryAgainLater);
  t.is(error?.message, `store lock ${file} still held by pid 1 after 50 ms`);
  t.is(await readFile(file, 'utf8'), record, 'the lock is left alone');
});

test('S-39 a holder in another pid namespace is broken at once when nobody holds the lock FIFO (it died)', async (t) => {
  const file = await lockPath(t);
  await writeFile(file, JSON.stringify({ ...(await me()), pid: 1, pidns: 'pid:[1]' }));
  await execa('mkfifo', ['-m', '0600', `${file}.live`]);
  await takesAtOnce(t, file);
});

test('S-35 a held lock makes the next acquire wait until it is released, then it gets it', async (t) => {
  const file = await lockPath(t);
  const release = await acquireFileLock(file, 0);
  await t.throwsAsync(acquireFileLock(file, 0), { instanceOf: CniError });
  let released = false;
  const waiter = acquireFileLock(file, 5_000).then((releaseSecond) => {
    t.true(released, 'got the lock only after the first holder released it');
    releaseSecond();
  });
  await new Promise((resolve) => setImmediate(resolve));
  released = true;
  release();
  await waiter;
});

test('S-36 after a dead holder is broken, 10 concurrent waiters hold the lock one at a time', async (t) => {
  const file = await lockPath(t);
  await writeFile(file, JSON.stringify({ ...(await me()), boot: 'an-earlier-boot' }));
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const release = await acquireFileLock(file, 5_000);
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside--;
      release();
    }),
  );
  t.is(most, 1);
  t.false(existsSync(file));
});
