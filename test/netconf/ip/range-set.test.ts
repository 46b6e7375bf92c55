import assert from 'node:assert/strict';
import test from '../../support/test.ts';
import fc from 'fast-check';
import { maxValue, parseIp } from '../../../netconf/ip/address.ts';
import { parseCidr } from '../../../netconf/ip/cidr.ts';
import type { Cidr } from '../../../netconf/ip/cidr.ts';
import { RangeSet } from '../../../netconf/ip/range-set.ts';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`test CIDR ${text} does not parse`);
  return parsed;
}

function ipValue(text: string): bigint {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`test address ${text} does not parse`);
  return parsed.value;
}

test('U-AR-21 of sorts and merges overlapping and adjacent intervals', (t) => {
  const set = RangeSet.of(4, [[20n, 25n], [1n, 3n], [4n, 5n], [10n, 12n], [11n, 15n], [26n, 26n]]);
  t.deepEqual(set.intervals(), [[1n, 5n], [10n, 15n], [20n, 26n]]);
  t.is(set.size(), 18n);
  t.is(set.first(), 1n);
  t.is(set.last(), 26n);
});

test('U-AR-22 of rejects reversed intervals and values outside the family', (t) => {
  t.throws(() => RangeSet.of(4, [[5n, 4n]]), { instanceOf: RangeError });
  t.throws(() => RangeSet.of(4, [[-1n, 4n]]), { instanceOf: RangeError });
  t.throws(() => RangeSet.of(4, [[0n, 1n << 32n]]), { instanceOf: RangeError });
  t.notThrows(() => RangeSet.of(4, [[0n, maxValue(4)]]));
  t.notThrows(() => RangeSet.of(6, [[0n, maxValue(6)]]));
  t.throws(() => RangeSet.of(6, [[0n, 1n << 128n]]), { instanceOf: RangeError });
});

test('U-AR-23 combining families is refused', (t) => {
  const v4 = RangeSet.of(4, [[1n, 2n]]);
  const v6 = RangeSet.of(6, [[1n, 2n]]);
  t.throws(() => v4.union(v6), { instanceOf: RangeError });
  t.throws(() => v4.subtract(v6), { instanceOf: RangeError });
  t.throws(() => v4.intersect(v6), { instanceOf: RangeError });
});

test('U-AR-24 empty, single and fromCidr', (t) => {
  const empty = RangeSet.empty(6);
  t.true(empty.isEmpty());
  t.is(empty.size(), 0n);
  t.is(empty.first(), undefined);
  t.is(empty.last(), undefined);
  t.is(empty.nextFrom(0n), undefined);
  t.is(empty.firstFree(new Set(), 0n), undefined);

  t.deepEqual(RangeSet.single({ family: 4, value: 7n }).intervals(), [[7n, 7n]]);

  const pool = RangeSet.fromCidr(cidr('10.6.0.0/16'));
  t.is(pool.family, 4);
  t.deepEqual(pool.intervals(), [[ipValue('10.6.0.0'), ipValue('10.6.255.255')]]);
  t.is(pool.size(), 65536n);
  t.is(pool.toString(), '{10.6.0.0-10.6.255.255}');
});

test('U-AR-25 a /64 IPv6 pool is one interval and allocation skips taken addresses', (t) => {
  const pool = RangeSet.fromCidr(cidr('fd00::/64'));
  const base = ipValue('fd00::');
  t.is(pool.size(), 1n << 64n);
  t.true(pool.has(ipValue('fd00::ffff:ffff:ffff:ffff')));
  t.false(pool.has(ipValue('fd00:0:0:1::')));
  t.is(pool.firstFree(new Set([base, base + 1n, base + 3n]), base), base + 2n);
  t.is(pool.firstFree(RangeSet.of(6, [[base, base + 1000n]]), base), base + 1001n);
  const last = ipValue('fd00::ffff:ffff:ffff:ffff');
  t.is(pool.firstFree(new Set([last]), last), base, 'wraps to the start');
});

test('U-AR-26 a /16 with all but one address taken finds the free one from anywhere', (t) => {
  const pool = RangeSet.fromCidr(cidr('10.6.0.0/16'));
  const free = ipValue('10.6.255.254');
  const taken = new Set<bigint>();
  for (const v of pool.values()) if (v !== free) taken.add(v);
  t.is(pool.firstFree(taken, ipValue('10.6.0.0')), free);
  t.is(pool.firstFree(taken, ipValue('10.6.255.255')), free, 'after wrapping');
  t.is(pool.firstFree(RangeSet.fromValues(4, taken), ipValue('10.6.0.0')), free);
  taken.add(free);
  t.is(pool.firstFree(taken, ipValue('10.6.0.0')), undefined);
});

test('U-AR-27 toString lists addresses and ranges', (t) => {
  const set = RangeSet.of(6, [[1n, 1n], [0xan, 0x14n]]);
  t.is(set.toString(), '{::1, ::a-::14}');
});

// Sets over the universe 0..UNIVERSE, checked against a plain Set<bigint> model.
const UNIVERSE = 200;

const intervalsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: UNIVERSE }), fc.integer({ min: 0, max: 20 }))
    .map(([start, length]): [bigint, bigint] => [BigInt(start), BigInt(Math.min(start + length, UNIVERSE))]),
  { maxLength: 8 },
);

const valuesArb = fc.array(fc.integer({ min: 0, max: UNIVERSE }).map(BigInt), { maxLength: 60 });

function modelOf(intervals: Array<readonly [bigint, bigint]>): Set<bigint> {
  const model = new Set<bigint>();
  for (const [start, end] of intervals) for (let v = start; v <= end; v++) model.add(v);
  return model;
}

function sorted(values: Iterable<bigint>): bigint[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function assertMatches(set: RangeSet, model: Set<bigint>): void {
  assert.deepEqual([...set.values()], sorted(model));
  assert.equal(set.size(), BigInt(model.size));
  assert.equal(set.isEmpty(), model.size === 0);
  for (let v = -1n; v <= BigInt(UNIVERSE) + 1n; v++) assert.equal(set.has(v), model.has(v), `has(${v})`);
}

function assertNormalised(set: RangeSet): void {
  let previousEnd: bigint | undefined;
  for (const [start, end] of set.intervals()) {
    assert.ok(start <= end, `[${start}, ${end}] is reversed`);
    if (previousEnd !== undefined) assert.ok(start > previousEnd + 1n, `${start} touches ${previousEnd}`);
    previousEnd = end;
  }
}

function property(t: { notThrows: (fn: () => void) => void }, prop: fc.IProperty<[unknown, ...unknown[]]>) {
  t.notThrows(() => fc.assert(prop));
}

test('U-AR-28 of and fromValues build the model set in normal form', (t) => {
  property(t, fc.property(intervalsArb, valuesArb, (intervals, values) => {
    const set = RangeSet.of(4, intervals);
    assertNormalised(set);
    assertMatches(set, modelOf(intervals));
    const fromValues = RangeSet.fromValues(4, values);
    assertNormalised(fromValues);
    assertMatches(fromValues, new Set(values));
  }));
});

test('U-AR-29 union, subtract and intersect agree with the model', (t) => {
  property(t, fc.property(intervalsArb, intervalsArb, (aIntervals, bIntervals) => {
    const a = RangeSet.of(4, aIntervals);
    const b = RangeSet.of(4, bIntervals);
    const aModel = modelOf(aIntervals);
    const bModel = modelOf(bIntervals);
    for (const [result, model] of [
      [a.union(b), new Set([...aModel, ...bModel])],
      [a.subtract(b), new Set([...aModel].filter((v) => !bModel.has(v)))],
      [a.intersect(b), new Set([...aModel].filter((v) => bModel.has(v)))],
    ] as const) {
      assertNormalised(result);
      assertMatches(result, model);
    }
    const shared = [...aModel].some((v) => bModel.has(v));
    assert.equal(a.overlaps(b), shared);
    assert.equal(a.isSubsetOf(b), [...aModel].every((v) => bModel.has(v)));
  }));
});

test('U-AR-30 algebraic laws', (t) => {
  property(t, fc.property(intervalsArb, intervalsArb, (aIntervals, bIntervals) => {
    const a = RangeSet.of(4, aIntervals);
    const b = RangeSet.of(4, bIntervals);
    assert.ok(a.union(b).equals(b.union(a)), 'union commutes');
    assert.ok(a.intersect(b).equals(b.intersect(a)), 'intersect commutes');
    assert.ok(!a.subtract(b).overlaps(b), 'A − B is disjoint from B');
    assert.ok(a.subtract(b).union(a.intersect(b)).equals(a), '(A − B) ∪ (A ∩ B) = A');
    assert.ok(a.isSubsetOf(a.union(b)));
    assert.ok(a.intersect(b).isSubsetOf(b));
  }));
});

test('U-AR-31 nextFrom is the smallest member at or after v', (t) => {
  property(t, fc.property(intervalsArb, (intervals) => {
    const set = RangeSet.of(4, intervals);
    const members = sorted(modelOf(intervals));
    for (let v = -1n; v <= BigInt(UNIVERSE) + 1n; v++) {
      assert.equal(set.nextFrom(v), members.find((m) => m >= v), `nextFrom(${v})`);
    }
  }));
});

test('U-AR-32 firstFree finds the first untaken member from a point, wrapping once', (t) => {
  property(t, fc.property(intervalsArb, valuesArb, fc.integer({ min: -1, max: UNIVERSE + 1 }), (intervals, takenValues, fromNumber) => {
    const set = RangeSet.of(4, intervals);
    const from = BigInt(fromNumber);
    const taken = new Set(takenValues);
    const free = sorted(modelOf(intervals)).filter((v) => !taken.has(v));
    const expected = free.find((v) => v >= from) ?? free[0];
    assert.equal(set.firstFree(taken, from), expected, 'taken as a Set');
    assert.equal(set.firstFree(RangeSet.fromValues(4, taken), from), expected, 'taken as a RangeSet');
  }));
});
