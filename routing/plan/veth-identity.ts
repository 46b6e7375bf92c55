import { fnv1a } from '../../netconf/fnv1a.ts';
import { parseIp } from '../../netconf/ip/index.ts';

// Names and MACs of the pod⇄node veth, derived from the container ID alone, so every verb
// (and a re-run after a crash) finds the same ones without stored state.

/** The node end: "np" + 8 hex digits, well under the 15-character limit. */
export function hostVethName(containerID: string): string {
  return `np${fnv1a(containerID).toString(16).padStart(8, '0')}`;
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
