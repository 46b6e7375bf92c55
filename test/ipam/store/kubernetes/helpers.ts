// Shared by the Kubernetes store tests: an API test double per test (closed in teardown),
// a block client on it, and IPBlock fixtures.
import type { ExecutionContext } from 'ava';
import { createBlockClient } from '../../../../ipam/store/kubernetes/block-client.ts';
import type { BlockClient, BlockClientOptions } from '../../../../ipam/store/kubernetes/block-client.ts';
import type { BlockChange } from '../../../../ipam/store/kubernetes/update-block.ts';
import type { IPBlock, IPBlockAllocation, IPBlockSpec } from '../../../../netconf/ipblock.ts';
import { startTestApiServer } from '../../../support/k8s-api/index.ts';
import type { TestApiServer } from '../../../support/k8s-api/index.ts';

export const IPBLOCKS = 'ipblocks.nicpool.io';

export interface Fixture {
  api: TestApiServer;
  client: BlockClient;
}

export async function setup(t: ExecutionContext, options?: BlockClientOptions): Promise<Fixture> {
  const api = await startTestApiServer();
  t.teardown(() => api.close());
  return { api, client: createBlockClient(api.kubeConfig(), options) };
}

export const specA: IPBlockSpec = { pool: 'pool-a', start: '10.1.0.0', size: 256 };
export const specA2: IPBlockSpec = { pool: 'pool-a', start: '10.1.1.0', size: 256 };
export const specB: IPBlockSpec = { pool: 'pool-b', start: '10.2.0.0', size: 16 };

export function allocation(i: number): IPBlockAllocation {
  return { podUID: `uid-${i}`, namespace: 'default', name: `pod-${i}`, containerID: `container${i}`, ifname: 'eth0', node: `node-${i % 4}`, at: '2026-01-01T00:00:00Z' };
}

/** The pure change an allocation makes: take `offset` for `holder` unless it is held. */
export function take(offset: number, holder: IPBlockAllocation): (block: IPBlock) => BlockChange<boolean> {
  return (block) => {
    const allocations = block.status?.allocations ?? {};
    if (allocations[String(offset)] !== undefined) return { value: false };
    return { status: { allocations: { ...allocations, [String(offset)]: holder } }, value: true };
  };
}

/** A sleep that returns at once and records the backoffs asked for. */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

/** The rejection of `p`, which must reject. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
