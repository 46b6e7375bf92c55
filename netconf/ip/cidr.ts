// CIDR blocks ("10.0.0.0/24") and addresses with a prefix length ("10.0.0.5/24").

import { bitLength, formatIp, parseIp } from './address.ts';
import type { IpAddress, IpFamily } from './address.ts';

export interface Cidr {
  family: IpFamily;
  /** Network address: host bits are always zero. */
  base: bigint;
  prefix: number;
}

export interface IpWithPrefix {
  address: IpAddress;
  prefix: number;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** "10.0.0.5/24" keeping the host part, as CNI results carry interface addresses. */
export function parseIpWithPrefix(text: string): IpWithPrefix | undefined {
  const parts = text.split('/');
  if (parts.length !== 2) return undefined;
  const [addressText = '', prefixText = ''] = parts;
  const address = parseIp(addressText);
  if (address === undefined || !PREFIX.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bitLength(address.family)) return undefined;
  return { address, prefix };
}

export function formatIpWithPrefix(value: IpWithPrefix): string {
  return `${formatIp(value.address)}/${value.prefix}`;
}

/** Accepts host bits ("10.0.0.5/24") and zeroes them: the block is 10.0.0.0/24. */
export function parseCidr(text: string): Cidr | undefined {
  const parsed = parseIpWithPrefix(text);
  if (parsed === undefined) return undefined;
  const { address, prefix } = parsed;
  return cidrOf(address, prefix);
}

/** The block of the given prefix length that contains `address`. */
export function cidrOf(address: IpAddress, prefix: number): Cidr {
  const bits = bitLength(address.family);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new RangeError(`prefix ${prefix} is outside 0..${bits}`);
  }
  return { family: address.family, base: address.value & ~hostMask(address.family, prefix), prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.base })}/${c.prefix}`;
}

export function cidrFirst(c: Cidr): bigint {
  return c.base;
}

export function cidrLast(c: Cidr): bigint {
  return c.base | hostMask(c.family, c.prefix);
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(bitLength(c.family) - c.prefix);
}

export function cidrContains(c: Cidr, a: IpAddress): boolean {
  return a.family === c.family && a.value >= cidrFirst(c) && a.value <= cidrLast(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && cidrFirst(a) <= cidrLast(b) && cidrFirst(b) <= cidrLast(a);
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(bitLength(family) - prefix)) - 1n;
}
