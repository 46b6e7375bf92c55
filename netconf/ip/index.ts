// Public API of IP arithmetic: addresses, CIDR blocks, interval sets, range text.

export { bitLength, canonicalIp, compareIp, formatIp, maxValue, parseIp } from './address.ts';
export type { IpAddress, IpFamily } from './address.ts';
export {
  cidrContains,
  cidrFirst,
  cidrLast,
  cidrOf,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  formatIpWithPrefix,
  parseCidr,
  parseIpWithPrefix,
} from './cidr.ts';
export type { Cidr, IpWithPrefix } from './cidr.ts';
export { RangeSet } from './range-set.ts';
export type { Interval } from './range-set.ts';
export { formatIpRange, parseIpRange } from './range-text.ts';
export type { IpRange, IpRangeParse } from './range-text.ts';
