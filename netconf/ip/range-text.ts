// Text forms of a pool's `ips` entries: "10.6.0.10-10.6.0.20", "10.6.0.7" or "10.6.0.0/28".

import { formatIp, parseIp } from './address.ts';
import type { IpFamily } from './address.ts';
import { cidrFirst, cidrLast, parseCidr } from './cidr.ts';

export interface IpRange {
  family: IpFamily;
  start: bigint;
  end: bigint;
}

export type IpRangeParse = IpRange | { error: string };

/** Errors are phrases meant to follow the offending entry, e.g. `"x" is not ...`. */
export function parseIpRange(text: string): IpRangeParse {
  // IPv6 text never contains '-', so the dash is unambiguous.
  if (text.includes('-')) return parseDashRange(text);
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    if (cidr === undefined) return { error: 'is not a valid CIDR' };
    return { family: cidr.family, start: cidrFirst(cidr), end: cidrLast(cidr) };
  }
  const address = parseIp(text);
  if (address === undefined) return { error: 'is not an IPv4 or IPv6 address, range "a-b" or CIDR' };
  return { family: address.family, start: address.value, end: address.value };
}

export function formatIpRange(family: IpFamily, start: bigint, end: bigint): string {
  const first = formatIp({ family, value: start });
  return start === end ? first : `${first}-${formatIp({ family, value: end })}`;
}

function parseDashRange(text: string): IpRangeParse {
  const parts = text.split('-');
  if (parts.length !== 2) return { error: 'is not an IPv4 or IPv6 address, range "a-b" or CIDR' };
  const [startText = '', endText = ''] = parts;
  const start = parseIp(startText);
  const end = parseIp(endText);
  if (start === undefined) return { error: 'range start is not an IPv4 or IPv6 address' };
  if (end === undefined) return { error: 'range end is not an IPv4 or IPv6 address' };
  if (start.family !== end.family) return { error: 'range mixes IPv4 and IPv6' };
  if (start.value > end.value) return { error: 'range start is after its end' };
  return { family: start.family, start: start.value, end: end.value };
}
