// An immutable set of addresses of one family, stored as sorted, disjoint,
// non-adjacent inclusive intervals so a /64 costs one interval, not 2^64 entries.

import { formatIp, maxValue } from './address.ts';
import type { IpAddress, IpFamily } from './address.ts';
import { cidrFirst, cidrLast } from './cidr.ts';
import type { Cidr } from './cidr.ts';

export type Interval = readonly [start: bigint, end: bigint];

export class RangeSet {
  readonly family: IpFamily;
  readonly #intervals: readonly Interval[];

  // Callers outside go through the static builders, which normalise.
  private constructor(family: IpFamily, normalised: readonly Interval[]) {
    this.family = family;
    this.#intervals = normalised;
  }

  static empty(family: IpFamily): RangeSet {
    return new RangeSet(family, []);
  }

  /** Sorts and merges overlapping and adjacent intervals; throws RangeError on bad input. */
  static of(family: IpFamily, intervals: ReadonlyArray<Interval>): RangeSet {
    const max = maxValue(family);
    for (const [start, end] of intervals) {
      if (start > end) throw new RangeError(`interval start ${start} is after its end ${end}`);
      if (start < 0n || end > max) throw new RangeError(`interval [${start}, ${end}] is outside IPv${family}`);
    }
    const sorted = [...intervals].sort((a, b) => compareBigint(a[0], b[0]));
    return new RangeSet(family, mergeSorted(sorted));
  }

  /** O(n log n) in the number of values; consecutive values become one interval. */
  static fromValues(family: IpFamily, values: Iterable<bigint>): RangeSet {
    return RangeSet.of(family, Array.from(values, (v): Interval => [v, v]));
  }

  static fromCidr(c: Cidr): RangeSet {
    return new RangeSet(c.family, [[cidrFirst(c), cidrLast(c)]]);
  }

  static single(addr: IpAddress): RangeSet {
    return RangeSet.of(addr.family, [[addr.value, addr.value]]);
  }

  intervals(): ReadonlyArray<Interval> {
    return this.#intervals;
  }

  isEmpty(): boolean {
    return this.#intervals.length === 0;
  }

  size(): bigint {
    let total = 0n;
    for (const [start, end] of this.#intervals) total += end - start + 1n;
    return total;
  }

  first(): bigint | undefined {
    return this.#intervals[0]?.[0];
  }

  last(): bigint | undefined {
    return this.#intervals.at(-1)?.[1];
  }

  has(v: bigint): boolean {
    const interval = this.#intervals[this.#indexAtOrBefore(v)];
    return interval !== undefined && v <= interval[1];
  }

  /** The smallest member ≥ v. */
  nextFrom(v: bigint): bigint | undefined {
    const i = this.#indexAtOrBefore(v);
    const containing = this.#intervals[i];
    if (containing !== undefined && v <= containing[1]) return v;
    return this.#intervals[i + 1]?.[0];
  }

  union(o: RangeSet): RangeSet {
    this.#checkFamily(o);
    // Both inputs are sorted, so a linear merge by start keeps the result sorted.
    const a = this.#intervals;
    const b = o.#intervals;
    const byStart: Interval[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const nextA = a[i];
      const nextB = b[j];
      if (nextB === undefined || (nextA !== undefined && nextA[0] <= nextB[0])) {
        byStart.push(nextA as Interval);
        i++;
      } else {
        byStart.push(nextB);
        j++;
      }
    }
    return new RangeSet(this.family, mergeSorted(byStart));
  }

  subtract(o: RangeSet): RangeSet {
    this.#checkFamily(o);
    const result: Interval[] = [];
    const cuts = o.#intervals;
    let j = 0;
    for (const [start, end] of this.#intervals) {
      let from = start;
      // Cuts ending before this interval cannot affect it or any later one.
      while (j < cuts.length && (cuts[j] as Interval)[1] < from) j++;
      let k = j;
      for (let cut = cuts[k]; cut !== undefined && cut[0] <= end; cut = cuts[++k]) {
        if (cut[0] > from) result.push([from, cut[0] - 1n]);
        from = cut[1] + 1n;
        if (from > end) break;
      }
      if (from <= end) result.push([from, end]);
    }
    return new RangeSet(this.family, result);
  }

  intersect(o: RangeSet): RangeSet {
    this.#checkFamily(o);
    const a = this.#intervals;
    const b = o.#intervals;
    const result: Interval[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const [aStart, aEnd] = a[i] as Interval;
      const [bStart, bEnd] = b[j] as Interval;
      const start = aStart > bStart ? aStart : bStart;
      const end = aEnd < bEnd ? aEnd : bEnd;
      if (start <= end) result.push([start, end]);
      // Advance whichever ends first: it cannot meet anything further on.
      if (aEnd < bEnd) i++;
      else j++;
    }
    return new RangeSet(this.family, result);
  }

  overlaps(o: RangeSet): boolean {
    return !this.intersect(o).isEmpty();
  }

  isSubsetOf(o: RangeSet): boolean {
    return this.subtract(o).isEmpty();
  }

  equals(o: RangeSet): boolean {
    if (this.family !== o.family || this.#intervals.length !== o.#intervals.length) return false;
    return this.#intervals.every(([start, end], i) => {
      const other = o.#intervals[i] as Interval;
      return start === other[0] && end === other[1];
    });
  }

  *values(): Generator<bigint> {
    for (const [start, end] of this.#intervals) {
      for (let v = start; v <= end; v++) yield v;
    }
  }

  /**
   * The first member ≥ `from` not in `taken`, wrapping to the start of the set
   * once. Values in a plain Set are assumed to be of this set's family.
   */
  firstFree(taken: ReadonlySet<bigint> | RangeSet, from: bigint): bigint | undefined {
    if (taken instanceof RangeSet) {
      const free = this.subtract(taken);
      return free.nextFrom(from) ?? free.first();
    }
    // Each probe either succeeds or lands on a distinct taken member, so the
    // two passes together make at most |taken| + 2 probes, whatever the set size.
    const first = this.first();
    if (first === undefined) return undefined;
    return this.#probeFree(taken, from, undefined) ?? this.#probeFree(taken, first, from);
  }

  toString(): string {
    const text = this.#intervals.map(([start, end]) => {
      const a = formatIp({ family: this.family, value: start });
      return start === end ? a : `${a}-${formatIp({ family: this.family, value: end })}`;
    });
    return `{${text.join(', ')}}`;
  }

  #probeFree(taken: ReadonlySet<bigint>, from: bigint, before: bigint | undefined): bigint | undefined {
    for (let v = this.nextFrom(from); v !== undefined; v = this.nextFrom(v + 1n)) {
      if (before !== undefined && v >= before) return undefined;
      if (!taken.has(v)) return v;
    }
    return undefined;
  }

  /** Index of the last interval starting at or before v; -1 if none. */
  #indexAtOrBefore(v: bigint): number {
    let low = 0;
    let high = this.#intervals.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if ((this.#intervals[mid] as Interval)[0] <= v) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  #checkFamily(o: RangeSet): void {
    if (o.family !== this.family) {
      throw new RangeError(`cannot combine IPv${this.family} and IPv${o.family} address sets`);
    }
  }
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Merges intervals already sorted by start, joining overlapping and adjacent ones. */
function mergeSorted(sorted: readonly Interval[]): Interval[] {
  const merged: Array<[bigint, bigint]> = [];
  for (const [start, end] of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && start <= previous[1] + 1n) {
      if (end > previous[1]) previous[1] = end;
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}
