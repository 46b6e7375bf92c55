import { spawn } from 'node:child_process';
import { CniCode, CniError } from '../../netconf/errors.ts';
import type { NicAddress } from '../plan/nic-addresses.ts';
import { runCommand } from '../netns/run-command.ts';

// Checks and announcements made from inside the pod, on its NIC, with iputils' arping and ping.

function inPod(netns: string, argv: string[]): Promise<{ exitCode: number }> {
  return runCommand('nsenter', [`--net=${netns}`, '--', ...argv], '');
}

/** Fails with code 110 when another host answers ARP for the NIC's IPv4 (duplicate address detection). */
export async function assertNoConflict(netns: string, ifname: string, addresses: NicAddress[]): Promise<void> {
  for (const { family, ip } of addresses) {
    if (family !== 4) continue; // IPv6 has the kernel's own DAD
    const probe = await inPod(netns, ['arping', '-D', '-q', '-c', '1', '-w', '1', '-I', ifname, ip]);
    if (probe.exitCode === 1) throw new CniError(CniCode.IpConflict, `${ifname}: ${ip} is already in use on the network (another host answered ARP)`);
  }
}

/** Fails with code 111 when a gateway of the NIC does not answer. */
export async function assertGatewaysReachable(netns: string, ifname: string, addresses: NicAddress[]): Promise<void> {
  for (const { family, gateway } of addresses) {
    if (gateway === undefined) continue;
    const argv = family === 4 ? ['arping', '-q', '-c', '1', '-w', '2', '-I', ifname, gateway] : ['ping', '-6', '-q', '-c', '1', '-W', '2', '-I', ifname, gateway];
    const probe = await inPod(netns, argv);
    if (probe.exitCode !== 0) throw new CniError(CniCode.GatewayUnreachable, `${ifname}: gateway ${gateway} does not answer`);
  }
}

/**
 * Gratuitous ARP for the NIC's IPv4, so neighbours drop stale entries of a previous holder.
 * Sent in the background: arping lingers a second after sending, which ADD need not wait for.
 */
export function announce(netns: string, ifname: string, addresses: NicAddress[], log: (message: string) => void): void {
  for (const { family, ip } of addresses) {
    if (family !== 4) continue;
    const child = spawn('nsenter', [`--net=${netns}`, '--', 'arping', '-U', '-q', '-c', '1', '-I', ifname, ip], { detached: true, stdio: 'ignore' });
    child.on('error', (error) => log(`gratuitous ARP for ${ip} on ${ifname} not sent: ${error.message}`));
    child.unref();
  }
}
