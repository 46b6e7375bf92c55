// Every wait of a test has a deadline: a regression fails the test by name, saying what it
// waited for and what it saw last, instead of hanging until ava's global timeout.

/**
 * How long one wait may take. Generous on purpose: what takes a second on a quiet machine must
 * still pass on one ten times slower (a busy CI machine), so only a real hang reaches it.
 * `NICPOOL_TEST_WAIT_MS` overrides it (e.g. to see a deadline message quickly).
 */
export const waitDeadlineMs = Number(process.env.NICPOOL_TEST_WAIT_MS ?? 180_000);

/** What a deadline message shows of the last state seen: its tail, so a log's newest lines. */
const lastSeenChars = 2000;

export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

export interface Wait {
  /** What the wait is for, as a reader would say it: "the controller to log /leading/". */
  what: string;
  /** What was seen last (a log, an object's state), shown when the deadline passes. */
  lastSeen?: () => unknown;
  /** Deadline in ms (default `waitDeadlineMs`). */
  ms?: number;
  /** Called once when the deadline passes, to stop watching. */
  onTimeout?: () => void;
}

/** Resolves or rejects as `promise` does, or rejects with a WaitTimeout once the deadline passes. */
export function withDeadline<T>(promise: Promise<T>, wait: Wait): Promise<T> {
  const ms = wait.ms ?? waitDeadlineMs;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      wait.onTimeout?.();
      reject(new WaitTimeout(`waited ${ms} ms for ${wait.what}; last seen: ${describe(wait.lastSeen?.())}`));
    }, ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Resolves with `state()` once `holds` is true of it: checked now and each time `onChange` calls
 * back. `onChange` subscribes and returns its unsubscribe. Rejects at the deadline with the last
 * state seen.
 */
export function waitUntil<T>(what: string, state: () => T, holds: (value: T) => boolean, onChange: (check: () => void) => () => void, ms?: number): Promise<T> {
  let last: T | undefined;
  let stop = () => {};
  const met = new Promise<T>((resolve) => {
    const check = () => {
      last = state();
      if (!holds(last)) return;
      stop();
      resolve(last);
    };
    stop = onChange(check);
    check();
  });
  return withDeadline(met, { what, lastSeen: () => last, ms, onTimeout: () => stop() });
}

function describe(value: unknown): string {
  if (value === undefined) return '(nothing)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > lastSeenChars ? `…${text.slice(-lastSeenChars)}` : text;
}
