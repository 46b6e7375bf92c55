import assert from 'node:assert/strict';
import test from '../../support/test.ts';
import fc from 'fast-check';
import { maxValue } from '../../../netconf/ip/address.ts';
import type { IpFamily } from '../../../netconf/ip/address.ts';
import { formatIpRange, parseIpRange } from '../../../netconf/ip/range-text.ts';

test('U-AR-33 parses a dash range, a single address and a CIDR', (t) => {
  t.deepEqual(parseIpRange('10.6.0.10-10.6.0.20'), { family: 4, start: 0x0a06000an, end: 0x0a060014n });
  t.deepEqual(parseIpRange('10.6.0.7'), { family: 4, start: 0x0a060007n, end: 0x0a060007n });
  t.deepEqual(parseIpRange('10.6.0.0/28'), { family: 4, start: 0x0a060000n, end: 0x0a06000fn });
  t.deepEqual(parseIpRange('10.6.0.5-10.6.0.5'), { family: 4, start: 0x0a060005n, end: 0x0a060005n });
  t.deepEqual(parseIpRange('fd00::10-fd00::1:0'), { family: 6, start: (0xfd00n << 112n) | 0x10n, end: (0xfd00n << 112n) | 0x10000n });
  t.deepEqual(parseIpRange('fd00::/120'), { family: 6, start: 0xfd00n << 112n, end: (0xfd00n << 112n) | 0xffn });
});

test('U-AR-34 explains what is wrong with bad entries', (t) => {
  const cases: Array<[string, string]> = [
    ['10.6.0.20-10.6.0.10', 'range start is after its end'],
    ['10.6.0.6-10.6.0.5', 'range start is after its end'],
    ['10.6.0.1-fd00::1', 'range mixes IPv4 and IPv6'],
    ['10.6.0.x-10.6.0.9', 'range start is not an IPv4 or IPv6 address'],
    ['10.6.0.1-10.6.0.256', 'range end is not an IPv4 or IPv6 address'],
    ['10.6.0.1-', 'range end is not an IPv4 or IPv6 address'],
    ['10.6.0.1 - 10.6.0.9', 'range start is not an IPv4 or IPv6 address'],
    ['10.6.0.1-10.6.0.5-10.6.0.9', 'is not an IPv4 or IPv6 address, range "a-b" or CIDR'],
    ['10.6.0.0/33', 'is not a valid CIDR'],
    ['fd00::/64/1', 'is not a valid CIDR'],
    ['pool-a', 'range start is not an IPv4 or IPv6 address'],
    ['nonsense', 'is not an IPv4 or IPv6 address, range "a-b" or CIDR'],
    ['', 'is not an IPv4 or IPv6 address, range "a-b" or CIDR'],
    ['010.6.0.1', 'is not an IPv4 or IPv6 address, range "a-b" or CIDR'],
  ];
  for (const [input, error] of cases) t.deepEqual(parseIpRange(input), { error }, input);
});

test('U-AR-35 formats single addresses and ranges canonically', (t) => {
  t.is(formatIpRange(4, 0x0a060007n, 0x0a060007n), '10.6.0.7');
  t.is(formatIpRange(4, 0x0a06000an, 0x0a060014n), '10.6.0.10-10.6.0.20');
  t.is(formatIpRange(6, 1n, 0xffffn), '::1-::ffff');
});

const rangeArb = fc.constantFrom<IpFamily>(4, 6).chain((family) =>
  fc.tuple(fc.bigInt({ min: 0n, max: maxValue(family) }), fc.bigInt({ min: 0n, max: maxValue(family) }))
    .map(([a, b]) => ({ family, start: a < b ? a : b, end: a < b ? b : a })),
);

test('U-AR-36 format then parse gives back the range', (t) => {
  t.notThrows(() => fc.assert(fc.property(rangeArb, (range) => {
    assert.deepEqual(parseIpRange(formatIpRange(range.family, range.start, range.end)), range);
  })));
});
