import { statSync } from 'node:fs';
import { CniCode, CniError } from '../../netconf/errors.ts';

/**
 * True when `netns` is the namespace this process runs in (the node's, for a plugin the runtime
 * execs): same device and inode as /proc/self/ns/net, whatever path names it (/proc/1/ns/net,
 * /proc/self/ns/net, a bind mount under /var/run/netns). False when the path cannot be read.
 */
export function isOwnNetns(netns: string): boolean {
  try {
    const target = statSync(netns);
    const own = statSync('/proc/self/ns/net');
    return target.dev === own.dev && target.ino === own.ino;
  } catch {
    return false;
  }
}

/** Code 4 before any change: a pod's plugin must never rewrite the routing of the node itself. */
export function assertNotOwnNetns(netns: string): void {
  if (isOwnNetns(netns)) throw new CniError(CniCode.InvalidEnv, ownNetnsMessage(netns));
}

export function ownNetnsMessage(netns: string): string {
  const shown = netns.length > 64 ? `${netns.slice(0, 61)}...` : netns;
  return `CNI_NETNS: ${JSON.stringify(shown)} is the plugin's own network namespace, not a pod's`;
}
