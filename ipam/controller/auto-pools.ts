import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { autoPoolLabels } from '../../netconf/annotations.ts';
import { parseIp, RangeSet } from '../../netconf/ip/index.ts';
import { Subnet } from '../../netconf/subnet.ts';
import type { Reservation } from '../gc/world.ts';
import { compilePool } from '../pools/compiled-pool.ts';
import { classifyFailure } from '../store/kubernetes/api-errors.ts';
import { POOL_LABEL } from '../store/kubernetes/block-client.ts';
import { timeoutOptions } from '../store/kubernetes/request-timeout.ts';
import { planAutoPools, type AutoPoolWish } from '../subnets/plan-auto-pools.ts';
import type { ControllerCache } from './controller-cache.ts';
import { eventRecorder } from './events.ts';
import { workloadWishes } from './workload-wishes.ts';

const group = { group: 'nicpool.io', version: 'v1' } as const;

export interface AutoPoolReconciler {
  /** One pass: pools created, resized or deleted, Events for wishes not met, Subnet statuses. */
  reconcile(reservations: readonly Reservation[]): Promise<void>;
}

/**
 * Subnet auto-pools (design §8.11): brings the IPPools carved from Subnets in line with what
 * the workloads ask (planAutoPools), deletes the pools of deleted workloads once no address of
 * them is in use (with their IPBlocks), and says on the workload, as a Warning Event, why a
 * pool could not be made or grown. Every write is conditioned on the version it was planned
 * from; a lost race is planned again on the next pass.
 */
export function autoPoolReconciler(kc: KubeConfig, cache: ControllerCache, log: (line: string) => void): AutoPoolReconciler {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const events = eventRecorder(kc, log);
  const opts = timeoutOptions(10_000);
  const said = new Map<string, string>(); // owner UID → last Event message, so each is said once

  /** A write whose lost race (409) or vanished object (404) is simply planned again next pass. */
  const quietly = async (what: string, write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      const failure = classifyFailure(error);
      if (!(failure?.kind === 'status' && (failure.code === 409 || failure.code === 404))) log(`${what}: ${(error as Error).message}`);
      return false;
    }
  };

  const warn = async (owner: AutoPoolWish['owner'], message: string) => {
    if (said.get(owner.uid) === message) return;
    said.set(owner.uid, message);
    log(`${owner.kind} ${owner.namespace}/${owner.name}: ${message}`);
    const apiVersion = owner.kind === 'Job' ? 'batch/v1' : 'apps/v1';
    await events.say({ apiVersion, kind: owner.kind, namespace: owner.namespace, name: owner.name, uid: owner.uid }, 'Warning', 'SubnetAutoPool', message);
  };

  return {
    async reconcile(reservations) {
      const subnets = cache.subnets().flatMap((object) => {
        const parsed = Subnet.safeParse({ metadata: { name: object.metadata?.name }, spec: object.spec });
        return parsed.success ? [{ subnet: parsed.data, object }] : [];
      });
      const pools = cache.pools();
      const inUse = new Map<string, bigint[]>();
      for (const { pool, ip } of reservations) inUse.set(pool, [...(inUse.get(pool) ?? []), parseIp(ip)?.value ?? -1n]);
      const allocated = (name: string) => {
        const family = pools.find((p) => p.pool.metadata.name === name)?.pool.spec.ipVersion ?? 4;
        return RangeSet.of(family, (inUse.get(name) ?? []).map((value) => [value, value] as const));
      };

      const { wishes, problems } = workloadWishes(cache.workloads());
      const plan = planAutoPools(wishes, subnets.map((s) => s.subnet), pools.map((p) => p.pool), allocated);
      for (const pool of plan.upserts) {
        const existing = pools.find((p) => p.pool.metadata.name === pool.metadata.name)?.object;
        const name = pool.metadata.name;
        const body = existing ? { ...pool, metadata: { ...pool.metadata, resourceVersion: existing.metadata?.resourceVersion } } : pool;
        const written = await quietly(`IPPool ${name}`, () =>
          existing ? custom.replaceClusterCustomObject({ ...group, plural: 'ippools', name, body }, opts) : custom.createClusterCustomObject({ ...group, plural: 'ippools', body }, opts),
        );
        if (written) log(`auto-pool ${name}: ${pool.spec.ips.join(',')}`);
      }
      for (const name of plan.orphans) {
        if ((inUse.get(name) ?? []).length > 0) continue; // pods still terminating hold some: later
        const blocks = (await custom.listClusterCustomObject({ ...group, plural: 'ipblocks', labelSelector: `${POOL_LABEL}=${name}` }, opts)) as { items: { metadata: { name: string } }[] };
        for (const block of blocks.items) await quietly(`IPBlock ${block.metadata.name}`, () => custom.deleteClusterCustomObject({ ...group, plural: 'ipblocks', name: block.metadata.name }, opts));
        if (await quietly(`IPPool ${name}`, () => custom.deleteClusterCustomObject({ ...group, plural: 'ippools', name }, opts))) log(`auto-pool ${name}: deleted, its workload is gone`);
      }
      for (const { owner, message } of [...plan.shortfalls, ...problems]) await warn(owner, message);

      for (const { subnet, object } of subnets) {
        const carved = pools.filter((p) => p.pool.metadata.labels?.[autoPoolLabels.subnet] === subnet.metadata.name);
        const status = {
          allocatedIPCount: carved.reduce((sum, p) => sum + Number(compilePool(p.pool).allocatable.size()), 0),
          totalIPCount: Number(compilePool({ metadata: { name: subnet.metadata.name }, spec: subnet.spec }).allocatable.size()),
          controlledIPPools: carved.map((p) => p.pool.metadata.name).sort(),
        };
        if (JSON.stringify(object.status ?? {}) === JSON.stringify(status)) continue;
        const body = { apiVersion: 'nicpool.io/v1', kind: 'Subnet', metadata: { name: subnet.metadata.name, resourceVersion: object.metadata?.resourceVersion }, status };
        await quietly(`Subnet ${subnet.metadata.name}`, () => custom.replaceClusterCustomObjectStatus({ ...group, plural: 'subnets', name: subnet.metadata.name, body }, opts));
      }
    },
  };
}
