import test from '../support/test.ts';
import * as z from 'zod';
import { IpamConfig } from '../../netconf/ipam-config.ts';
import { formatPath, parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

const goodPool = { metadata: { name: 'pool-a' }, spec: { ipVersion: 4, subnet: '10.0.0.0/24', ips: ['10.0.0.10-10.0.0.20'] } };

test('U-NC-33 formatPath joins keys with "." and indices with [n] after an optional root', (t) => {
  t.is(formatPath('ipam', ['pools', 0, 'spec', 'ips', 1]), 'ipam.pools[0].spec.ips[1]');
  t.is(formatPath(undefined, ['pools', 0, 'spec']), 'pools[0].spec');
  t.is(formatPath(undefined, [0, 'a']), '[0].a');
  t.is(formatPath('CNI_ARGS', []), 'CNI_ARGS');
  t.is(formatPath(undefined, []), '(root)');
  t.is(formatPath('', []), '(root)');
});

test('U-NC-34 a bad pool ips entry is code 7: `ipam.pools[0].spec.ips[1]: "10.0.0.300" is not an IPv4 or IPv6 address, range "a-b" or CIDR`', (t) => {
  const input = { type: 'nicpool-ipam', pools: [{ ...goodPool, spec: { ...goodPool.spec, ips: ['10.0.0.5', '10.0.0.300'] } }] };
  throwsCni(t, () => parseOrThrow(IpamConfig, input, { root: 'ipam' }), 7,
    'ipam.pools[0].spec.ips[1]: "10.0.0.300" is not an IPv4 or IPv6 address, range "a-b" or CIDR');
});

test('U-NC-35 an unknown key is code 2 (unsupported field) naming the key, at the top and inside a pool spec', (t) => {
  throwsCni(t, () => parseOrThrow(IpamConfig, { type: 'nicpool-ipam', subnet: '10.0.0.0/24' }, { root: 'ipam' }), 2,
    'ipam: unsupported key "subnet"');
  const input = { type: 'nicpool-ipam', pools: [{ ...goodPool, spec: { ...goodPool.spec, gatway: '10.0.0.1' } }] };
  throwsCni(t, () => parseOrThrow(IpamConfig, input, { root: 'ipam' }), 2, 'ipam.pools[0].spec: unsupported key "gatway"');
});

test('U-NC-36 several unknown keys of one object are listed in one message, still code 2', (t) => {
  throwsCni(t, () => parseOrThrow(IpamConfig, { type: 'nicpool-ipam', a: 1, b: 2 }, { root: 'ipam' }), 2,
    'ipam: unsupported key "a", "b"');
});

test('U-NC-37 an unknown key together with an invalid value is code 7 and reports both', (t) => {
  throwsCni(t, () => parseOrThrow(IpamConfig, { type: 'nicpool-ipam', a: 1, lockTimeoutMs: -1 }, { root: 'ipam' }), 7,
    'ipam.lockTimeoutMs: too small: expected number to be >0, got -1; ipam: unsupported key "a"');
});

test('U-NC-38 a missing key is code 7 naming the key as "missing"', (t) => {
  const input = { type: 'nicpool-ipam', pools: [{ metadata: { name: 'pool-a' }, spec: { ipVersion: 4, ips: ['10.0.0.1'] } }] };
  throwsCni(t, () => parseOrThrow(IpamConfig, input, { root: 'ipam' }), 7,
    'ipam.pools[0].spec.subnet: missing, invalid input: expected string, received undefined');
  throwsCni(t, () => parseOrThrow(IpamConfig, {}, { root: 'ipam' }), 7,
    'ipam.type: missing, invalid input: expected "nicpool-ipam"');
});

test('U-NC-39 a value of the wrong type is code 7 naming the key and the value', (t) => {
  throwsCni(t, () => parseOrThrow(IpamConfig, { type: 'nicpool-ipam', lockTimeoutMs: '5' }, { root: 'ipam' }), 7,
    'ipam.lockTimeoutMs: invalid input: expected number, received string, got "5"');
  throwsCni(t, () => parseOrThrow(IpamConfig, { type: 'host-local' }, { root: 'ipam' }), 7,
    'ipam.type: invalid input: expected "nicpool-ipam", got "host-local"');
});

test('U-NC-40 without a root the path starts at the first key, and a bad root value reads "(root)"', (t) => {
  throwsCni(t, () => parseOrThrow(z.object({ a: z.number() }), { a: 'x' }), 7, 'a: invalid input: expected number, received string, got "x"');
  throwsCni(t, () => parseOrThrow(z.string(), 5), 7, '(root): invalid input: expected string, received number, got 5');
});

test('U-NC-41 options.code replaces 7 for invalid values but unknown keys alone stay code 2', (t) => {
  const schema = z.strictObject({ a: z.string() });
  throwsCni(t, () => parseOrThrow(schema, { a: 1 }, { code: 4 }), 4, 'a: invalid input: expected string, received number, got 1');
  throwsCni(t, () => parseOrThrow(schema, { a: 'x', b: 1 }, { code: 4 }), 2, '(root): unsupported key "b"');
});

test('U-NC-42 predicate messages read "<path>: <value> <predicate>"; every issue is joined with "; "', (t) => {
  const input = { type: 'nicpool-ipam', poolFile: 'pools.json', dataDir: 'var' };
  throwsCni(t, () => parseOrThrow(IpamConfig, input, { root: 'ipam' }), 7,
    'ipam.poolFile: "pools.json" must be an absolute path; ipam.dataDir: "var" must be an absolute path');
});

test('U-NC-43 valid input returns the parsed output with defaults applied', (t) => {
  t.deepEqual(parseOrThrow(IpamConfig, { type: 'nicpool-ipam' }, { root: 'ipam' }), {
    type: 'nicpool-ipam', store: 'local', poolFile: '/etc/nicpool/pools.json', dataDir: '/var/lib/nicpool', pools: [], lockTimeoutMs: 30000, agentWaitMs: 10000,
  });
});

test('U-NC-90 an echoed value is cut to 100 characters with an ellipsis and its length: a 20 MB value gives a short message', (t) => {
  const huge = 'x'.repeat(20_000_000);
  const error = t.throws(() => parseOrThrow(IpamConfig, { type: 'nicpool-ipam', nodeName: 7, [huge]: 1, poolFile: huge, pools: huge }, { root: 'ipam' }));
  t.true(error!.message.length < 1000, `${error!.message.length} chars`);
  t.true(error!.message.includes(`ipam.pools: invalid input: expected array, received string, got "${'x'.repeat(99)}… (20000002 chars)`), error!.message.slice(0, 500));
  t.true(error!.message.includes(`unsupported key "${'x'.repeat(99)}… (20000002 chars)`), error!.message.slice(0, 500));
});

test('U-NC-91 a value nested deeper than 100 levels is code 6 "failed to decode content", never a stack overflow', (t) => {
  const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
  throwsCni(t, () => parseOrThrow(IpamConfig, { type: 'nicpool-ipam', pools: deep }, { root: 'ipam' }), 6, 'ipam: failed to decode content: nested deeper than 100 levels');
  throwsCni(t, () => parseOrThrow(z.unknown(), deep), 6, '(root): failed to decode content: nested deeper than 100 levels');
  const nested99 = JSON.parse(`${'['.repeat(99)}${']'.repeat(99)}`) as unknown;
  t.deepEqual(parseOrThrow(z.unknown(), nested99), nested99, '100 levels are fine');
});
