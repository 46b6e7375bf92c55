// ava's `test`, with a deadline on every test. A test that hangs (an await nobody resolves)
// fails under its own name, its teardowns run, and the run goes on; without it the hang
// would only end at ava's global inactivity timeout, which aborts the whole run and (ava
// 8.x, issue #3461) crashes its TAP reporter before the hung test is named. Every test file
// imports `test` from here, not from 'ava'.
import ava, { type ExecutionContext } from 'ava';

/**
 * A test's deadline: far above what any test takes on a quiet machine (the longest, the
 * 100-pod benchmark run, about 2 min), so a machine ten times slower still passes; waits
 * inside a test have their own, shorter ones (deadline.ts). `NICPOOL_TEST_DEADLINE_MS`
 * overrides it.
 */
export const testDeadlineMs = Number(process.env.NICPOOL_TEST_DEADLINE_MS ?? 10 * 60_000);

type Implementation = (t: ExecutionContext) => unknown;

function bounded(implementation: Implementation): Implementation {
  return (t) => {
    t.timeout(testDeadlineMs, `test deadline: not finished within ${testDeadlineMs} ms (it hung on something with no deadline of its own)`);
    return implementation(t);
  };
}

function test(title: string, implementation: Implementation): void {
  ava(title, bounded(implementation));
}
test.serial = (title: string, implementation: Implementation): void => ava.serial(title, bounded(implementation));
test.before = ava.before;
test.after = ava.after;

export default test;
