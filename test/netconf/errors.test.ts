import test from '../support/test.ts';
import { asCniError, CniCode, CniError } from '../../netconf/errors.ts';

test('U-NC-01 CniError.toJSON is {cniVersion, code, msg} with no details key when details is undefined', (t) => {
  const json = new CniError(CniCode.InvalidConfig, 'ipam.subnet: "x" is not a CIDR').toJSON('1.0.0');
  t.deepEqual(json, { cniVersion: '1.0.0', code: 7, msg: 'ipam.subnet: "x" is not a CIDR' });
  t.false(Object.hasOwn(json, 'details'));
  t.is(JSON.stringify(json), '{"cniVersion":"1.0.0","code":7,"msg":"ipam.subnet: \\"x\\" is not a CIDR"}');
});

test('U-NC-02 CniError.toJSON carries details when set, and the error keeps code, message and name', (t) => {
  const error = new CniError(CniCode.TryAgainLater, 'store locked', 'held by pid 42');
  t.deepEqual(error.toJSON('1.1.0'), { cniVersion: '1.1.0', code: 11, msg: 'store locked', details: 'held by pid 42' });
  t.is(error.code, 11);
  t.is(error.message, 'store locked');
  t.is(error.name, 'CniError');
  t.true(error instanceof Error);
});

test('U-NC-03 CniCode values follow the CNI spec (1-7, 11, 50, 51) and ours from 100', (t) => {
  t.deepEqual({ ...CniCode }, {
    IncompatibleVersion: 1, UnsupportedField: 2, UnknownContainer: 3, InvalidEnv: 4, IoFailure: 5, DecodeFailure: 6,
    InvalidConfig: 7, TryAgainLater: 11, PluginNotAvailable: 50, LimitedConnectivity: 51,
    PoolExhausted: 100, NoPoolMatched: 101, IpUnavailable: 102, CheckFailed: 103, IpConflict: 110, GatewayUnreachable: 111, Internal: 199,
  });
});

test('U-NC-04 asCniError returns a CniError unchanged (same object)', (t) => {
  const error = new CniError(CniCode.PoolExhausted, 'pool "a" is exhausted');
  t.is(asCniError(error), error);
});

test('U-NC-05 asCniError wraps an Error into code 199 "internal error: <message>" without details', (t) => {
  const wrapped = asCniError(new TypeError('x is not a function'));
  t.true(wrapped instanceof CniError);
  t.is(wrapped.code, 199);
  t.is(wrapped.message, 'internal error: x is not a function');
  t.deepEqual(wrapped.toJSON('1.1.0'), { cniVersion: '1.1.0', code: 199, msg: 'internal error: x is not a function' });
});

test('U-NC-06 asCniError wraps non-Error thrown values (string, number, undefined) into code 199', (t) => {
  t.is(asCniError('boom').message, 'internal error: boom');
  t.is(asCniError(42).message, 'internal error: 42');
  t.is(asCniError(undefined).message, 'internal error: undefined');
  t.is(asCniError('boom').code, 199);
});
