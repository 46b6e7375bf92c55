import { CniCode, CniError } from '../../netconf/errors.ts';
import { formatIpWithPrefix, parseIpWithPrefix } from '../../netconf/ip/index.ts';
import { showValue } from '../../netconf/parse.ts';
import type { CniResult } from '../../netconf/result.ts';
import type { StoreState } from '../../netconf/store-state.ts';
import { sameAttachment } from './attachment.ts';

/**
 * CHECK: prevResult's addresses for this attachment must be exactly what the store holds for
 * it, each with its pool's prefix length: nothing held may be missing, nothing reported may be
 * unheld (an address nobody reserved is one the next ADD may hand to another pod), and no
 * prefix may differ. An address of prevResult counts for this attachment unless its
 * `interface` names a sandbox interface other than the attachment's.
 */
export function checkReservation(
  state: StoreState,
  attachment: { containerID: string; ifname: string },
  prevResult: Pick<CniResult, 'ips' | 'interfaces'>,
  /** The prefix length of a pool's addresses; undefined when the pool no longer exists. */
  prefixOf: (pool: string) => number | undefined,
): void {
  const where = `container ${attachment.containerID} ${attachment.ifname}`;
  const allocations = state.allocations.filter((allocation) => sameAttachment(allocation, attachment));
  if (allocations.length === 0) throw new CniError(CniCode.CheckFailed, `${where} holds no reservation`);
  const held = allocations.map((allocation) => {
    const prefix = prefixOf(allocation.pool);
    if (prefix === undefined) throw new CniError(CniCode.CheckFailed, `${where} holds ${allocation.ip} of pool ${JSON.stringify(allocation.pool)}, which no longer exists`);
    return `${allocation.ip}/${prefix}`;
  });
  const reported = reportedAddresses(prevResult, attachment.ifname);
  const problems: string[] = [];
  const missing = held.filter((address) => !reported.includes(address));
  if (missing.length > 0) problems.push(`holds ${missing.join(', ')}, absent from prevResult.ips`);
  const extra = reported.filter((address) => !held.includes(address));
  if (extra.length > 0) problems.push(`does not hold ${extra.join(', ')} of prevResult.ips`);
  if (problems.length > 0) {
    throw new CniError(CniCode.CheckFailed, `${where} ${problems.join('; ')} (held [${held.join(', ')}], prevResult.ips [${reported.join(', ')}])`);
  }
}

/** prevResult's addresses for the attachment's interface, canonical "ip/prefix"; garbage is 103. */
function reportedAddresses(prevResult: Pick<CniResult, 'ips' | 'interfaces'>, ifname: string): string[] {
  const out: string[] = [];
  (prevResult.ips ?? []).forEach((ip, i) => {
    const iface = ip.interface === undefined ? undefined : prevResult.interfaces?.[ip.interface];
    if (iface !== undefined && iface.name !== ifname) return;
    const parsed = parseIpWithPrefix(ip.address);
    if (parsed === undefined) {
      throw new CniError(CniCode.CheckFailed, `prevResult.ips[${i}].address: ${showValue(ip.address)} is not an address with a prefix length`);
    }
    const text = formatIpWithPrefix(parsed);
    if (!out.includes(text)) out.push(text);
  });
  return out;
}
