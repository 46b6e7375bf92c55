import { fnv1a } from '../../netconf/fnv1a.ts';
import { parseIp } from '../../netconf/ip/index.ts';

// Names and MACs of the pod⇄node veth, derived from the container ID alone, so every verb
// (and a re-run after a crash) finds the same ones without stored state.

/** The node end: "np" + 8 hex digits, well under the 15-character limit. */
export function hostVethName(containerID: string): string {
  return `np${fnv1a(containerID).toString(16).padStart(8, '0')}`;
}

/** How many node-side names a pod may try: the hash of its ID, then of "<ID>#1", "<ID>#2", … */
const nameTries = 8;

/** The node end's alias: which pod the link belongs to, whatever name it got. */
export function vethAlias(containerID: string): string {
  return `nicpool:${containerID}`;
}

/** The node-side names a pod may use, in the order it tries them (a 32-bit hash collides). */
export function hostVethCandidates(containerID: string): string[] {
  return Array.from({ length: nameTries }, (_, index) => (index === 0 ? hostVethName(containerID) : hostVethName(`${containerID}#${index}`)));
}

/** What the node's links tell about a name: its alias, and its MAC (links made before aliases). */
export interface NodeLink {
  ifname: string;
  ifalias?: unknown;
  address?: string | undefined;
}

/**
 * The pod's node end among the node's links: the candidate whose alias names the pod, else (a
 * link made before aliases, or by an ADD killed before it set one) the first candidate carrying
 * the pod's host MAC. Undefined when the pod has none: a link of another pod is never ours.
 */
export function findHostVeth(containerID: string, links: readonly NodeLink[]): string | undefined {
  const candidates = hostVethCandidates(containerID);
  const mac = vethMac(containerID, 'host');
  const byName = (name: string) => links.find((link) => link.ifname === name);
  return candidates.find((name) => byName(name)?.ifalias === vethAlias(containerID)) ?? candidates.find((name) => byName(name)?.address === mac);
}

/** The pod's node end: the one it has, else the first candidate name no link uses; undefined if all are taken. */
export function chooseHostVeth(containerID: string, links: readonly NodeLink[]): string | undefined {
  return findHostVeth(containerID, links) ?? hostVethCandidates(containerID).find((name) => !links.some((link) => link.ifname === name));
}

/** A locally administered unicast MAC (0e:…), different for each end of the pair. */
export function vethMac(containerID: string, end: 'host' | 'pod'): string {
  const a = fnv1a(`${containerID}/${end}`);
  const b = fnv1a(`${end}/${containerID}`);
  const bytes = [0x0e, (a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255, b & 255];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** The pod NIC's MAC under a prefix: the prefix bytes, then the IPv4's last bytes (stable per IP). */
export function prefixedMac(prefix: string, ipv4: string): string {
  const value = parseIp(ipv4)?.value ?? 0n;
  const prefixBytes = prefix.split(':');
  const ipBytes = [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 255n).toString(16).padStart(2, '0'));
  return [...prefixBytes, ...ipBytes.slice(prefixBytes.length - 2)].join(':');
}
