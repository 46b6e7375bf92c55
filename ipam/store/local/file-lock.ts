import { closeSync, constants, linkSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CniCode, CniError } from '../../../netconf/errors.ts';

/**
 * The store lock: a file that names its holder (pid, process start time, pid namespace, boot).
 * It is created whole or not at all (written aside, then hard-linked into place, which fails
 * if the lock exists), so a holder killed at any instant leaves a file that says who it was.
 * A waiter that finds the holder dead — gone, a zombie, its pid reused, or from an earlier boot —
 * breaks the lock at once; nothing waits for a dead process. Unlike a socket lock it works across
 * network namespaces, and in a root-only data dir nobody else can take it.
 *
 * A pid means nothing outside its pid namespace, so every contender also holds the read end of
 * a FIFO beside the lock (`<lock>.live`) from before it tries to take the lock until after it
 * released it. The kernel closes it when its owner dies, whatever namespace it ran in: a waiter
 * that cannot judge the holder's pid (another pid namespace) opens the FIFO for writing without
 * blocking, and ENXIO (no reader at all) proves the holder dead.
 */
export async function acquireFileLock(lockPath: string, timeoutMs: number): Promise<() => void> {
  const candidate = `${lockPath}.${process.pid}.cand`;
  const live = `${lockPath}.live`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const me = JSON.stringify({ ...currentOwner(), nonce: randomBytes(6).toString('hex') });
    const reader = await openLiveReader(live);
    if (tryCreate(candidate, lockPath, me)) {
      return () => {
        unlinkQuietly(lockPath);
        if (reader !== undefined) closeSync(reader);
      };
    }
    if (reader !== undefined) closeSync(reader);
    const holder = readHolder(lockPath);
    if (holder === undefined) continue; // released in between: try again at once
    if (isDead(holder.owner, live)) {
      await breakStaleLock(lockPath, holder, live);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CniError(CniCode.TryAgainLater, `store lock ${lockPath} still held by pid ${holder.owner?.pid ?? '?'} after ${timeoutMs} ms`);
    }
    // Short, jittered, growing waits: holders keep the lock for a few milliseconds.
    await delay(Math.min(20, 1 + attempt) * (0.5 + Math.random()));
  }
}

interface Owner {
  pid: number;
  start: string;
  pidns: string;
  boot: string;
}

interface Holder {
  text: string;
  ino: number;
  owner: Owner | undefined;
}

function tryCreate(candidate: string, lockPath: string, content: string): boolean {
  try {
    const fd = openSync(candidate, 'w', 0o600);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    linkSync(candidate, lockPath);
    return true;
  } catch (error) {
    // EEXIST: held. ENOENT: a lock holder's clean-up removed our candidate; just retry.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw new CniError(CniCode.IoFailure, `store lock ${lockPath}: ${code ?? (error as Error).message}`);
  } finally {
    unlinkQuietly(candidate);
  }
}

/** The current holder, or undefined when the lock was released in between. */
function readHolder(lockPath: string): Holder | undefined {
  try {
    const ino = statSync(lockPath).ino;
    const text = readFileSync(lockPath, 'utf8');
    return { text, ino, owner: parseOwner(text) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CniError(CniCode.IoFailure, `store lock ${lockPath}: ${code ?? (error as Error).message}`);
  }
}

function parseOwner(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    const fields = [value.start, value.pidns, value.boot];
    return Number.isInteger(value.pid) && fields.every((field) => typeof field === 'string') ? (value as Owner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Only provable deaths count. A holder of this pid namespace is judged by its pid and start
 * time (a zombie is dead); one of another pid namespace only by the FIFO: dead when nobody at
 * all holds its read end.
 */
function isDead(owner: Owner | undefined, live: string): boolean {
  if (owner === undefined) return true; // not a lock we wrote: nobody holds it
  const me = currentOwner();
  if (owner.boot !== me.boot) return true;
  if (owner.pidns !== me.pidns) return nobodyLive(live);
  const stat = processStat(owner.pid);
  return stat === undefined || stat.start !== owner.start || stat.state === 'Z' || stat.state === 'X';
}

/**
 * True only when the FIFO exists and no process holds its read end (ENXIO). Missing (a holder
 * of an older version) or anything else: not provable, so not dead.
 */
function nobodyLive(live: string): boolean {
  try {
    closeSync(openSync(live, constants.O_WRONLY | constants.O_NONBLOCK));
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENXIO';
  }
}

/** The FIFO's read end, created on first use; undefined only if it cannot be made. */
async function openLiveReader(live: string): Promise<number | undefined> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      return openSync(live, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || tries > 0) return undefined;
      // Node has no mkfifo(3): once per data dir, loaded only then.
      const { spawnSync } = await import('node:child_process');
      spawnSync('mkfifo', ['-m', '0600', live], { stdio: 'ignore' });
    }
  }
  return undefined;
}

/**
 * Removes a dead holder's lock. Breakers take turns (a lock of their own, rarely needed, so
 * loaded only here) and re-check under it, so a lock re-taken meanwhile is never removed. A
 * holder judged by the FIFO is re-judged first: no reader now, and the same acquisition (inode
 * and content, which carries a nonce) still in place, means it held the lock through a moment
 * when nobody held the FIFO, so it is dead.
 */
async function breakStaleLock(lockPath: string, seen: Holder, live: string): Promise<void> {
  const { acquireProcessLock } = await import('./process-lock.ts');
  const release = await acquireProcessLock(`break ${lockPath}`, 5_000, lockPath);
  try {
    if (!isDead(seen.owner, live)) return;
    const now = readHolder(lockPath);
    if (now !== undefined && now.ino === seen.ino && now.text === seen.text) unlinkQuietly(lockPath);
  } finally {
    await release();
  }
}

let self: Owner | undefined;
function currentOwner(): Owner {
  self ??= {
    pid: process.pid,
    start: processStat(process.pid)?.start ?? '',
    pidns: readlinkSync('/proc/self/ns/pid'),
    boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  };
  return self;
}

/**
 * Fields 3 (state: `Z` zombie, `X` dead) and 22 (start time in clock ticks since boot) of
 * /proc/<pid>/stat; undefined if gone.
 */
function processStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
