import assert from 'node:assert/strict';
import test from '../../support/test.ts';
import fc from 'fast-check';
import { maxValue, parseIp } from '../../../netconf/ip/address.ts';
import type { IpFamily } from '../../../netconf/ip/address.ts';
import {
  cidrContains, cidrFirst, cidrLast, cidrOf, cidrSize, cidrsOverlap, formatCidr, formatIpWithPrefix,
  parseCidr, parseIpWithPrefix,
} from '../../../netconf/ip/cidr.ts';
import type { Cidr } from '../../../netconf/ip/cidr.ts';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`test CIDR ${text} does not parse`);
  return parsed;
}

function ip(text: string) {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`test address ${text} does not parse`);
  return parsed;
}

test('U-AR-12 parses CIDRs and zeroes host bits', (t) => {
  t.deepEqual(parseCidr('10.0.0.0/24'), { family: 4, base: 0x0a000000n, prefix: 24 });
  t.deepEqual(parseCidr('10.0.0.5/24'), { family: 4, base: 0x0a000000n, prefix: 24 });
  t.deepEqual(parseCidr('10.6.255.255/16'), { family: 4, base: 0x0a060000n, prefix: 16 });
  t.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, base: 0n, prefix: 0 });
  t.deepEqual(parseCidr('1.2.3.4/32'), { family: 4, base: 0x01020304n, prefix: 32 });
  t.deepEqual(parseCidr('fd00::/64'), { family: 6, base: 0xfd00n << 112n, prefix: 64 });
  t.deepEqual(parseCidr('fd00::1:2:3:4/64'), { family: 6, base: 0xfd00n << 112n, prefix: 64 });
  t.deepEqual(parseCidr('::/0'), { family: 6, base: 0n, prefix: 0 });
  t.deepEqual(parseCidr('::1/128'), { family: 6, base: 1n, prefix: 128 });
});

test('U-AR-13 rejects malformed CIDRs', (t) => {
  for (const text of ['10.0.0.0', '10.0.0.0/', '/24', '10.0.0.0/33', '10.0.0.0/024', '10.0.0.0/+24',
    '10.0.0.0/-1', '10.0.0.0/2 4', '10.0.0.0/24/1', 'fd00::/129', '10.0.0.0 /24', '10.0.0/24', 'fd00::/0x40']) {
    t.is(parseCidr(text), undefined, text);
    t.is(parseIpWithPrefix(text), undefined, text);
  }
});

test('U-AR-14 parseIpWithPrefix keeps the host part', (t) => {
  t.deepEqual(parseIpWithPrefix('10.0.0.5/24'), { address: { family: 4, value: 0x0a000005n }, prefix: 24 });
  t.deepEqual(parseIpWithPrefix('fd00::5/64'), { address: { family: 6, value: (0xfd00n << 112n) | 5n }, prefix: 64 });
  t.is(formatIpWithPrefix({ address: ip('FD00:0::0005'), prefix: 64 }), 'fd00::5/64');
});

test('U-AR-15 formats CIDRs canonically', (t) => {
  t.is(formatCidr(cidr('10.6.0.0/16')), '10.6.0.0/16');
  t.is(formatCidr(cidr('10.6.7.8/16')), '10.6.0.0/16');
  t.is(formatCidr(cidr('FD00:0:0:0::/64')), 'fd00::/64');
});

test('U-AR-16 first, last and size of blocks', (t) => {
  const v4 = cidr('10.6.0.0/16');
  t.is(cidrFirst(v4), 0x0a060000n);
  t.is(cidrLast(v4), 0x0a06ffffn);
  t.is(cidrSize(v4), 65536n);
  const v6 = cidr('fd00::/64');
  t.is(cidrLast(v6), (0xfd00n << 112n) | 0xffffffffffffffffn);
  t.is(cidrSize(v6), 1n << 64n);
  t.is(cidrSize(cidr('1.2.3.4/32')), 1n);
  t.is(cidrLast(cidr('0.0.0.0/0')), maxValue(4));
  t.is(cidrSize(cidr('::/0')), 1n << 128n);
});

test('U-AR-17 containment respects edges and family', (t) => {
  const block = cidr('10.6.0.0/28');
  t.true(cidrContains(block, ip('10.6.0.0')));
  t.true(cidrContains(block, ip('10.6.0.15')));
  t.false(cidrContains(block, ip('10.6.0.16')));
  t.false(cidrContains(block, ip('10.5.255.255')));
  // ::a06:0 has the same numeric value as 10.6.0.0 but is another family.
  t.false(cidrContains(block, ip('::a06:0')));
});

test('U-AR-18 overlap', (t) => {
  t.true(cidrsOverlap(cidr('10.0.0.0/8'), cidr('10.6.0.0/16')));
  t.true(cidrsOverlap(cidr('10.6.0.0/16'), cidr('10.0.0.0/8')));
  t.false(cidrsOverlap(cidr('10.6.0.0/24'), cidr('10.6.1.0/24')));
  t.false(cidrsOverlap(cidr('0.0.0.0/0'), cidr('::/0')));
});

test('U-AR-19 cidrOf rejects prefixes outside the family', (t) => {
  t.throws(() => cidrOf(ip('10.0.0.1'), 33), { instanceOf: RangeError });
  t.throws(() => cidrOf(ip('10.0.0.1'), -1), { instanceOf: RangeError });
  t.deepEqual(cidrOf(ip('10.0.0.129'), 25), { family: 4, base: 0x0a000080n, prefix: 25 });
});

const addressAndPrefix = fc.constantFrom<IpFamily>(4, 6).chain((family) =>
  fc.record({
    family: fc.constant(family),
    value: fc.bigInt({ min: 0n, max: maxValue(family) }),
    prefix: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
  }),
);

test('U-AR-20 the block of an address contains it and is aligned to its size', (t) => {
  t.notThrows(() => fc.assert(fc.property(addressAndPrefix, ({ family, value, prefix }) => {
    const block = cidrOf({ family, value }, prefix);
    assert.ok(cidrContains(block, { family, value }));
    assert.equal(cidrLast(block) - cidrFirst(block) + 1n, cidrSize(block));
    assert.equal(cidrFirst(block) % cidrSize(block), 0n);
    assert.deepEqual(parseCidr(formatCidr(block)), block);
  })));
});
