import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseIp, parseIpRange } from '../../netconf/ip/index.ts';
import { ReservedIP } from '../../netconf/reserved-ip.ts';
import type { Reservation } from '../gc/world.ts';
import { classifyFailure } from '../store/kubernetes/api-errors.ts';
import { timeoutOptions } from '../store/kubernetes/request-timeout.ts';
import type { Custom } from './controller-cache.ts';

/**
 * Reports, in each ReservedIP's status, the pods that hold one of its addresses: a reservation
 * made after the fact stops new allocations but takes nothing from a running pod, so the user
 * needs to see who still has it. Written only when it changes.
 */
export async function reportReservedHolders(kc: KubeConfig, reservedIPs: readonly Custom[], reservations: readonly Reservation[], log: (line: string) => void): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const object of reservedIPs) {
    const parsed = ReservedIP.safeParse({ metadata: { name: object.metadata?.name }, spec: object.spec, status: object.status });
    if (!parsed.success) continue;
    const { metadata, spec, status } = parsed.data;
    const ranges = spec.ips.flatMap((entry) => {
      const range = parseIpRange(entry);
      return 'error' in range ? [] : [range];
    });
    const holders = reservations
      .filter(({ ip }) => {
        const value = parseIp(ip);
        return value !== undefined && ranges.some((range) => range.family === value.family && range.start <= value.value && value.value <= range.end);
      })
      .map(({ ip, entry }) => ({ ip, namespace: entry.namespace, name: entry.name }))
      .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
    if (JSON.stringify(holders) === JSON.stringify(status?.holders ?? [])) continue;
    if (holders.length > 0) log(`ReservedIP ${metadata.name}: still held by ${holders.map((h) => `${h.ip} (${h.namespace}/${h.name})`).join(', ')}`);
    const body = { apiVersion: 'nicpool.io/v1', kind: 'ReservedIP', metadata: { name: metadata.name, resourceVersion: object.metadata?.resourceVersion }, status: { holders } };
    try {
      await api.replaceClusterCustomObjectStatus({ group: 'nicpool.io', version: 'v1', plural: 'reservedips', name: metadata.name, body }, timeoutOptions(10_000));
    } catch (error) {
      const failure = classifyFailure(error);
      if (!(failure?.kind === 'status' && failure.code === 409)) log(`ReservedIP ${metadata.name}: status not written (${(error as Error).message})`);
    }
  }
}
