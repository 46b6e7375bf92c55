import { CniCode, CniError } from '../../netconf/errors.ts';
import { bitLength, formatIp, parseIp } from '../../netconf/ip/index.ts';
import type { IPBlockSpec } from '../../netconf/ipblock.ts';

/**
 * The object name of a pool's block starting at `start`. It is a function of (pool, start) so
 * that two agents creating the same block collide on the name (one gets AlreadyExists) instead
 * of creating two objects for the same addresses. IPv4 reads as `<pool>-10-0-0-0`; IPv6 as
 * `<pool>-` and 32 hex digits (its text form has colons and may end in `::`). The address part
 * has a fixed shape, so no two (pool, start) pairs share a name.
 */
export function blockName(spec: Pick<IPBlockSpec, 'pool' | 'start'>): string {
  const start = parseIp(spec.start);
  if (start === undefined) throw new CniError(CniCode.InvalidConfig, `IPBlock of pool ${spec.pool}: start ${JSON.stringify(spec.start)} is not an IP address`);
  const suffix =
    start.family === 4
      ? formatIp(start).replaceAll('.', '-')
      : start.value.toString(16).padStart(bitLength(6) / 4, '0');
  const name = `${spec.pool}-${suffix}`;
  if (name.length > 253) {
    throw new CniError(CniCode.InvalidConfig, `pool name ${spec.pool} is too long to name its IPBlocks (${name} is longer than 253 characters)`);
  }
  return name;
}
