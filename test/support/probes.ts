// Reachability probes between lab namespaces: ICMP echo and a TCP exchange. Only addresses
// inside namespaces the lab created are ever targeted.
import { execa } from 'execa';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { withDeadline } from './deadline.ts';

const probeScript = path.resolve(import.meta.dirname, 'tcp-probe.ts');

/** True when any of 3 echo requests is answered (the first may wait on ARP/ND resolution). */
export async function pings(fromNs: string, ip: string): Promise<boolean> {
  const result = await execa('ip', ['netns', 'exec', fromNs, 'ping', ip.includes(':') ? '-6' : '-4', '-c', '3', '-i', '0.2', '-W', '1', ip], { reject: false });
  return result.exitCode === 0;
}

/** Serves on ip:port in `serverNs`, connects from `clientNs`: true when the echo came back. */
export async function tcpExchange(serverNs: string, clientNs: string, ip: string, port = 7070): Promise<boolean> {
  const server = execa('ip', ['netns', 'exec', serverNs, process.execPath, probeScript, 'serve', ip, String(port)], { stdin: 'pipe', reject: false, buffer: false });
  try {
    const listening = new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: server.stdout! });
      lines.on('line', (line) => line === 'listening' && resolve());
      lines.on('close', () => reject(new Error(`tcp-probe server on ${ip} ended before listening`)));
    });
    await withDeadline(listening, { what: `the tcp-probe server on ${ip}:${port} to listen` });
    const client = await execa('ip', ['netns', 'exec', clientNs, process.execPath, probeScript, 'connect', ip, String(port)], { reject: false });
    return client.exitCode === 0 && client.stdout.trim() === 'echo:ping';
  } finally {
    server.stdin?.end();
    await server;
  }
}
