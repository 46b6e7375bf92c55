import { closeSync, linkSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { CniCode, CniError } from '../../../netconf/errors.ts';

/**
 * The store lock: a file that names its holder (pid, process start time, pid namespace, boot).
 * It is created whole or not at all (written aside, then hard-linked into place, which fails
 * if the lock exists), so a holder killed at any instant leaves a file that says who it was.
 * A waiter that finds the holder dead — gone, its pid reused, or from an earlier boot — breaks
 * the lock at once; nothing waits for a dead process. Unlike a socket lock it works across
 * network namespaces, and in a root-only data dir nobody else can take it.
 */
export async function acquireFileLock(lockPath: string, timeoutMs: number): Promise<() => void> {
  const me = JSON.stringify(currentOwner());
  const candidate = `${lockPath}.${process.pid}.cand`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(candidate, lockPath, me)) return () => unlinkQuietly(lockPath);
    const holder = readHolder(lockPath);
    if (holder === undefined) continue; // released in between: try again at once
    if (isDead(holder.owner)) {
      await breakStaleLock(lockPath, holder);
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

/** Only provable deaths count: a holder in another pid namespace is waited for, never broken. */
function isDead(owner: Owner | undefined): boolean {
  if (owner === undefined) return true; // not a lock we wrote: nobody holds it
  const me = currentOwner();
  if (owner.boot !== me.boot) return true;
  if (owner.pidns !== me.pidns) return false;
  return processStart(owner.pid) !== owner.start;
}

/**
 * Removes a dead holder's lock. Breakers take turns (a lock of their own, rarely needed, so
 * loaded only here) and re-check under it, so a lock re-taken meanwhile is never removed.
 */
async function breakStaleLock(lockPath: string, seen: Holder): Promise<void> {
  const { acquireProcessLock } = await import('./process-lock.ts');
  const release = await acquireProcessLock(`break ${lockPath}`, 5_000, lockPath);
  try {
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
    start: processStart(process.pid) ?? '',
    pidns: readlinkSync('/proc/self/ns/pid'),
    boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  };
  return self;
}

/** Field 22 of /proc/<pid>/stat, the start time in clock ticks since boot; undefined if gone. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
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
