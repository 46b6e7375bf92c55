import type { Allocation, StoreState } from '../../netconf/store-state.ts';
import { sameAttachment } from './attachment.ts';

export interface ReleasePlan {
  state: StoreState;
  released: Allocation[];
}

/**
 * DEL: frees what the attachment holds; nothing held is success too. Fixed-IP bindings stay:
 * the address waits for its pod name to come back.
 */
export function planRelease(state: StoreState, attachment: { containerID: string; ifname: string }): ReleasePlan {
  return releaseWhere(state, (allocation) => sameAttachment(allocation, attachment));
}

/** CNI GC: frees this network's allocations whose attachment is not in the valid set. */
export function planGarbageCollection(
  state: StoreState,
  network: string,
  validAttachments: ReadonlyArray<{ containerID: string; ifname: string }>,
): ReleasePlan {
  const valid = new Set(validAttachments.map((attachment) => attachmentKey(attachment)));
  return releaseWhere(state, (allocation) => allocation.network === network && !valid.has(attachmentKey(allocation)));
}

function releaseWhere(state: StoreState, shouldRelease: (allocation: Allocation) => boolean): ReleasePlan {
  const released = state.allocations.filter(shouldRelease);
  if (released.length === 0) return { state, released };
  return { state: { ...state, allocations: state.allocations.filter((allocation) => !shouldRelease(allocation)) }, released };
}

function attachmentKey(attachment: { containerID: string; ifname: string }): string {
  return `${attachment.containerID}\u0000${attachment.ifname}`;
}
