// Shared by the store tests and test/support/store-worker.ts: the pools the multi-process
// tests allocate from and an ADD invocation as the plugin would build it.
import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpamInvocation } from '../../../ipam/cni/invocation.ts';
import type { IPPool } from '../../../netconf/ippool.ts';

export const network = 'store-test-net';
export const poolName = 'store-test-pool';

/**
 * Exactly 200 allocatable addresses, touching every rule: the network (.0) and broadcast
 * (.255) addresses sit inside `ips`, the gateway and a few ranges are excluded.
 */
export const pool200: IPPool = {
  metadata: { name: poolName },
  spec: {
    ipVersion: 4,
    subnet: '10.77.0.0/24',
    gateway: '10.77.0.1',
    ips: ['10.77.0.0-10.77.0.152', '10.77.0.200-10.77.0.255'],
    excludeIPs: ['10.77.0.1', '10.77.0.60-10.77.0.64', '10.77.0.250'],
  },
};

/** pool200's allocatable set, worked out by hand rather than by compilePool. */
export const pool200Allocatable: ReadonlyArray<readonly [from: number, to: number]> = [
  [2, 59],
  [65, 152],
  [200, 249],
  [251, 254],
];

export function inPool200(ip: string): boolean {
  const match = /^10\.77\.0\.(\d{1,3})$/.exec(ip);
  if (match === null) return false;
  const last = Number(match[1]);
  return pool200Allocatable.some(([from, to]) => from <= last && last <= to);
}

/** Room for every allocation a burst of workers can make (1020 addresses). */
export const poolLarge: IPPool = {
  metadata: { name: poolName },
  spec: { ipVersion: 4, subnet: '10.78.0.0/22', ips: ['10.78.0.1-10.78.3.254'] },
};

/**
 * An ADD as the plugin would run it: one IPv4 address from the network's default pool. The lock
 * wait is long: 50 workers' 200 ADDs take turns on one lock, and on a saturated machine the last
 * in line waits tens of seconds; these tests are about what they get, not how fast.
 */
export function addInvocation(dataDir: string, poolFile: string, containerID: string, lockTimeoutMs = 120_000): IpamInvocation {
  return {
    conf: {
      cniVersion: '1.1.0',
      name: network,
      type: 'nicpool',
      ipam: { type: 'nicpool-ipam', dataDir, poolFile, defaultIPv4Pools: [poolName], nodeName: 'node-a', lockTimeoutMs },
    },
    env: { command: 'ADD', containerId: containerID, netns: '/var/run/netns/store-test', ifname: 'eth0', args: '', path: [] },
    args: {},
  };
}

/** A fresh directory removed when the test ends, whatever its outcome. */
export async function tempDir(t: ExecutionContext, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `nicpool-${label}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
