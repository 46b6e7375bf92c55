import assert from 'node:assert/strict';
import test from '../../support/test.ts';
import fc from 'fast-check';
import { bitLength, canonicalIp, compareIp, formatIp, maxValue, parseIp } from '../../../netconf/ip/address.ts';
import type { IpFamily } from '../../../netconf/ip/address.ts';

test('U-AR-01 parses IPv4 dotted quads to their numeric value', (t) => {
  t.deepEqual(parseIp('10.0.0.1'), { family: 4, value: 0x0a000001n });
  t.deepEqual(parseIp('0.0.0.0'), { family: 4, value: 0n });
  t.deepEqual(parseIp('255.255.255.255'), { family: 4, value: 0xffffffffn });
  t.deepEqual(parseIp('192.168.100.200'), { family: 4, value: 0xc0a864c8n });
});

test('U-AR-02 rejects malformed IPv4', (t) => {
  for (const text of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.04', '1.2.3.-1', '1.2.3.+4',
    '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '', '1e2.0.0.1', '0x1.2.3.4', '1.2.3.4/32']) {
    t.is(parseIp(text), undefined, text);
  }
});

test('U-AR-03 parses IPv6 text forms', (t) => {
  t.deepEqual(parseIp('::'), { family: 6, value: 0n });
  t.deepEqual(parseIp('::1'), { family: 6, value: 1n });
  t.deepEqual(parseIp('1::'), { family: 6, value: 1n << 112n });
  t.deepEqual(parseIp('2001:DB8::FF00:42:8329'), { family: 6, value: 0x20010db8000000000000ff0000428329n });
  t.deepEqual(parseIp('2001:0db8:0000:0000:0000:ff00:0042:8329'), { family: 6, value: 0x20010db8000000000000ff0000428329n });
  t.deepEqual(parseIp('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
  t.deepEqual(parseIp('1:2:3:4:5:6:1.2.3.4'), { family: 6, value: 0x0001000200030004000500060102_0304n });
  t.deepEqual(parseIp('1:2:3:4:5:6:7::'), { family: 6, value: 0x00010002000300040005000600070000n });
  t.deepEqual(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), { family: 6, value: maxValue(6) });
});

test('U-AR-04 rejects malformed IPv6', (t) => {
  for (const text of ['1::2::3', 'fe80::1%eth0', '::ffff:1.2.3.256', '[::1]', ' ::1', '::1 ', ':::', ':1::2',
    '1::2:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::12345', 'g::1', '1.2.3.4::',
    '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:01.2.3.4', ':', '1:', '::-1']) {
    t.is(parseIp(text), undefined, text);
  }
});

test('U-AR-05 formats IPv6 per RFC 5952', (t) => {
  const cases: Array<[string, string]> = [
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'], // §4.1 leading zeros, §4.2.1 longest run
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2 one zero group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3 longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3 first run on ties
    ['2001:DB8::AAAA', '2001:db8::aaaa'], // §4.3 lowercase
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['::ffff:1.2.3.4', '::ffff:102:304'], // embedded IPv4 is not re-emitted
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
  ];
  for (const [input, expected] of cases) t.is(canonicalIp(input), expected, input);
});

test('U-AR-06 formats IPv4 dotted and canonicalIp passes through bad input as undefined', (t) => {
  t.is(formatIp({ family: 4, value: 0x0a060007n }), '10.6.0.7');
  t.is(canonicalIp('10.6.0.7'), '10.6.0.7');
  t.is(canonicalIp('10.6.0.07'), undefined);
});

test('U-AR-07 formatIp refuses values outside the family', (t) => {
  t.throws(() => formatIp({ family: 4, value: 1n << 32n }), { instanceOf: RangeError });
  t.throws(() => formatIp({ family: 6, value: -1n }), { instanceOf: RangeError });
});

test('U-AR-08 family sizes and ordering', (t) => {
  t.is(bitLength(4), 32);
  t.is(bitLength(6), 128);
  t.is(maxValue(4), 0xffffffffn);
  t.is(maxValue(6), (1n << 128n) - 1n);
  t.true(compareIp({ family: 4, value: maxValue(4) }, { family: 6, value: 0n }) < 0);
  t.true(compareIp({ family: 6, value: 2n }, { family: 6, value: 1n }) > 0);
  t.is(compareIp({ family: 4, value: 7n }, { family: 4, value: 7n }), 0);
});

const familyAndValue = fc.constantFrom<IpFamily>(4, 6).chain((family) =>
  fc.bigInt({ min: 0n, max: maxValue(family) }).map((value) => ({ family, value })),
);

test('U-AR-09 parse ∘ format is the identity on every value', (t) => {
  t.notThrows(() => fc.assert(fc.property(familyAndValue, (addr) => {
    assert.deepEqual(parseIp(formatIp(addr)), addr);
  })));
});

// IPv6 values made of few non-zero groups exercise the '::' placement far more than uniform ones.
const sparseIpv6 = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 })
  .map((groups) => groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));

// Longest run of literal "0" groups in a colon-separated list.
function longestZeroRun(groups: string[]): number {
  let best = 0;
  let run = 0;
  for (const g of groups) {
    run = g === '0' ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

test('U-AR-10 sparse IPv6 round-trips and obeys the RFC 5952 compression rules', (t) => {
  t.notThrows(() => fc.assert(fc.property(sparseIpv6, (value) => {
    const text = formatIp({ family: 6, value });
    assert.deepEqual(parseIp(text), { family: 6, value });
    assert.doesNotMatch(text, /(^|:)0[0-9a-f]/, 'no leading zeros');
    const halves = text.split('::');
    if (halves.length === 1) {
      assert.ok(longestZeroRun(text.split(':')) < 2, `${text} leaves a zero run uncompressed`);
      return;
    }
    const [head = '', tail = ''] = halves;
    const headGroups = head === '' ? [] : head.split(':');
    const tailGroups = tail === '' ? [] : tail.split(':');
    const compressed = 8 - headGroups.length - tailGroups.length;
    assert.ok(compressed >= 2, `${text} compresses a single group`);
    assert.ok(longestZeroRun(headGroups) < compressed, `${text} skipped an earlier run as long`);
    assert.ok(longestZeroRun(tailGroups) <= compressed, `${text} skipped a longer run`);
  })));
});

// Written independently of formatIp, so parse is checked against a second source of text.
function fullIpv6Text(value: bigint, upper: boolean, ipv4Tail: boolean): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  const hex = (g: number[]): string[] => g.map((n) => n.toString(16).padStart(4, '0'));
  const text = ipv4Tail
    ? [...hex(groups.slice(0, 6)), [groups[6] ?? 0, groups[7] ?? 0].flatMap((g) => [g >> 8, g & 0xff]).join('.')].join(':')
    : hex(groups).join(':');
  return upper ? text.toUpperCase() : text;
}

test('U-AR-11 every uncompressed IPv6 spelling parses to its value', (t) => {
  t.notThrows(() => fc.assert(fc.property(
    fc.bigInt({ min: 0n, max: maxValue(6) }), fc.boolean(), fc.boolean(),
    (value, upper, ipv4Tail) => {
      assert.deepEqual(parseIp(fullIpv6Text(value, upper, ipv4Tail)), { family: 6, value });
    },
  )));
});
