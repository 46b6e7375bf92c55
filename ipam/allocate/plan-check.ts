import { CniCode, CniError } from '../../netconf/errors.ts';
import { canonicalIp } from '../../netconf/ip/index.ts';
import type { StoreState } from '../../netconf/store-state.ts';
import { sameAttachment } from './attachment.ts';

/**
 * CHECK: the attachment must hold a reservation, and every address it holds must be in
 * prevResult (the runtime's record of what ADD returned).
 */
export function checkReservation(
  state: StoreState,
  attachment: { containerID: string; ifname: string },
  prevResultAddresses: readonly string[],
): void {
  const held = state.allocations.filter((allocation) => sameAttachment(allocation, attachment)).map((allocation) => allocation.ip);
  const where = `container ${attachment.containerID} ${attachment.ifname}`;
  if (held.length === 0) throw new CniError(CniCode.CheckFailed, `${where} holds no reservation`);
  const reported = new Set(prevResultAddresses.map((address) => canonicalIp(address.split('/')[0] ?? '') ?? address));
  const missing = held.filter((ip) => !reported.has(ip));
  if (missing.length > 0) {
    throw new CniError(CniCode.CheckFailed, `${where} holds ${missing.join(', ')}, absent from prevResult.ips [${[...reported].join(', ')}]`);
  }
}
