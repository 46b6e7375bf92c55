// Builders for IPAM unit tests: pools validated through the real schema, requests, store states.
import type * as z from 'zod';
import { formatIp, parseIp, type IpAddress } from '../../netconf/ip/index.ts';
import { IPPool, type IPPoolSpec } from '../../netconf/ippool.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { emptyStoreState, type Allocation, type FixedBinding, type StoreState } from '../../netconf/store-state.ts';
import type { AddRequest, Attachment, PodRef } from '../../ipam/allocate/attachment.ts';
import { compilePool, type CompiledPool } from '../../ipam/pools/compiled-pool.ts';
import { compilePoolSet } from '../../ipam/pools/pool-set.ts';

export { throwsCni } from '../netconf/cni-assert.ts';

export type PoolOptions = { name: string } & z.input<typeof IPPoolSpec>;

/** An IPPool object, validated by the real IPPool schema (throws its CniError if invalid). */
export function pool(options: PoolOptions): IPPool {
  const { name, ...spec } = options;
  return parseOrThrow(IPPool, { apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name }, spec });
}

export function compiled(options: PoolOptions): CompiledPool {
  return compilePool(pool(options));
}

/** A checked pool set (unique names, no overlap), keyed by name. */
export function poolSet(...options: PoolOptions[]): Map<string, CompiledPool> {
  return compilePoolSet(options.map(pool));
}

export function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`test address ${text} does not parse`);
  return parsed;
}

/** Every allocatable address of a pool as text, in order (small pools only). */
export function allocatableList(pool: CompiledPool): string[] {
  return Array.from(pool.allocatable.values(), (value) => formatIp({ family: pool.family, value }));
}

export function podRef(name = 'web-0', namespace = 'default', uid: string | undefined = undefined): PodRef {
  return { namespace, name, uid };
}

export function attachment(overrides: Partial<Attachment> = {}): Attachment {
  return { containerID: 'c1', ifname: 'eth0', network: 'net-a', pod: podRef(), ...overrides };
}

export function request(overrides: Partial<AddRequest> = {}): AddRequest {
  return { attachment: attachment(), requestedIps: [], poolNames: [], defaultPools: {}, nodeName: 'node-1', ...overrides };
}

export const NOW = new Date('2025-01-02T03:04:05.000Z');

export function allocation(overrides: Partial<Allocation> & Pick<Allocation, 'ip' | 'pool'>): Allocation {
  return {
    containerID: 'c1',
    ifname: 'eth0',
    network: 'net-a',
    podNamespace: 'default',
    podName: 'web-0',
    allocatedAt: NOW.toISOString(),
    ...overrides,
  };
}

export function binding(overrides: Partial<FixedBinding> & Pick<FixedBinding, 'ip' | 'pool'>): FixedBinding {
  return { podNamespace: 'default', podName: 'web-0', ifname: 'eth0', ...overrides };
}

export function state(overrides: Partial<StoreState> = {}): StoreState {
  return { ...emptyStoreState(), ...overrides };
}
