// Shared assertion for unit tests: a function throws a CniError with this exact code and message.
import type { ExecutionContext } from 'ava';
import { CniError } from '../../netconf/errors.ts';

/** Asserts `fn` throws a CniError whose code is `code` and whose message is `message` (exact or regex). */
export function throwsCni(t: ExecutionContext, fn: () => unknown, code: number, message: string | RegExp): CniError | undefined {
  const error = t.throws(fn, { instanceOf: CniError, message });
  t.is(error?.code, code, `code of: ${error?.message ?? '(nothing thrown)'}`);
  return error;
}
