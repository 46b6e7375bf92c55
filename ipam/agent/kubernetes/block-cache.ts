import type { IPBlock, IPBlockAllocation } from '../../../netconf/ipblock.ts';
import type { ReadBlock } from '../../store/kubernetes/block-client.ts';

/** Where one holder's address sits: the block and the offset in it. */
export interface HeldEntry {
  block: string;
  offset: number;
  entry: IPBlockAllocation;
}

/**
 * The agent's view of the IPBlocks: every block as listed at start, then as this agent last
 * read or wrote it; the newer resourceVersion wins. Not a watch: every agent watching every
 * block write of the cluster costs O(nodes × writes), which measured as most of the CPU of a
 * 10-node burst. Entries of this node are written only by this agent (the controller only
 * removes), so for them the view is complete; for the rest it is a hint (which blocks look
 * full, a first compare-and-swap to try), and every change is decided on a fresh read when
 * the hint was stale. Indexed by attachment, so DEL and idempotent ADD find an attachment's
 * addresses without scanning.
 */
export class BlockCache {
  readonly #blocks = new Map<string, ReadBlock>();
  readonly #byAttachment = new Map<string, HeldEntry[]>();

  get(name: string): ReadBlock | undefined {
    return this.#blocks.get(name);
  }

  all(): IterableIterator<ReadBlock> {
    return this.#blocks.values();
  }

  /** Records a block read or written; an older version than the one held is ignored. */
  remember(read: ReadBlock): void {
    const name = read.block.metadata.name;
    const held = this.#blocks.get(name);
    if (held && isOlder(read.resourceVersion, held.resourceVersion)) return;
    this.#unindex(held?.block);
    this.#blocks.set(name, read);
    this.#index(read.block);
  }

  /** Every address the attachment holds, across all blocks. */
  heldBy(containerID: string, ifname: string): HeldEntry[] {
    return this.#byAttachment.get(attachmentKey(containerID, ifname)) ?? [];
  }

  #index(block: IPBlock): void {
    for (const [offset, entry] of Object.entries(block.status?.allocations ?? {})) {
      const key = attachmentKey(entry.containerID, entry.ifname);
      this.#byAttachment.set(key, [...(this.#byAttachment.get(key) ?? []), { block: block.metadata.name, offset: Number(offset), entry }]);
    }
  }

  #unindex(block: IPBlock | undefined): void {
    for (const entry of Object.values(block?.status?.allocations ?? {})) {
      const key = attachmentKey(entry.containerID, entry.ifname);
      const rest = (this.#byAttachment.get(key) ?? []).filter((held) => held.block !== block?.metadata.name);
      if (rest.length === 0) this.#byAttachment.delete(key);
      else this.#byAttachment.set(key, rest);
    }
  }
}

function attachmentKey(containerID: string, ifname: string): string {
  return `${containerID}/${ifname}`;
}

// resourceVersions are opaque, but every API server in practice (etcd revisions) makes them
// increasing integers; anything else is treated as "not older" and simply replaces.
function isOlder(candidate: string, held: string): boolean {
  return /^\d+$/.test(candidate) && /^\d+$/.test(held) && BigInt(candidate) < BigInt(held);
}
