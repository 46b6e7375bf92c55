import * as z from 'zod/mini';
import { annotationKeys, autoPoolSize, subnetRequests } from '../../netconf/annotations.ts';
import { CniError } from '../../netconf/errors.ts';
import { LabelSelector } from '../../netconf/label-selector.ts';
import type { AutoPoolWish } from '../subnets/plan-auto-pools.ts';
import type { Workload } from './controller-cache.ts';

// The fields of a workload that size and aim its auto-pools; whatever else it holds is ignored.
const WorkloadShape = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string(), uid: z.string(), annotations: z.optional(z.record(z.string(), z.string())) }),
  spec: z.looseObject({
    replicas: z.optional(z.int()),
    parallelism: z.optional(z.int()),
    selector: z.optional(LabelSelector),
    template: z.optional(z.looseObject({ metadata: z.optional(z.looseObject({ annotations: z.optional(z.record(z.string(), z.string())) })) })),
  }),
  status: z.optional(z.looseObject({ desiredNumberScheduled: z.optional(z.int()) })),
});

export interface WorkloadWishes {
  wishes: AutoPoolWish[];
  /** A workload whose annotations cannot be read: said in an Event on it, never guessed. */
  problems: { owner: AutoPoolWish['owner']; message: string }[];
}

/**
 * What the workloads ask of Subnets: per NIC and family, a pool of `ippool-ip-number` addresses
 * ("N", or "+N" over its replicas; default "+1", so a rolling update has room). The annotations
 * belong on the pod template, where its pods (and so the agent) see them too; the workload's
 * own are read when the template has none.
 */
export function workloadWishes(workloads: readonly Workload[]): WorkloadWishes {
  const wishes: AutoPoolWish[] = [];
  const problems: WorkloadWishes['problems'] = [];
  for (const { kind, object } of workloads) {
    const parsed = WorkloadShape.safeParse(object);
    if (!parsed.success) continue;
    const { metadata, spec, status } = parsed.data;
    const annotations = spec.template?.metadata?.annotations ?? metadata.annotations ?? {};
    if (annotations[annotationKeys.subnet] === undefined && annotations[annotationKeys.subnets] === undefined) continue;
    const owner = { kind, namespace: metadata.namespace, name: metadata.name, uid: metadata.uid };
    const replicas = kind === 'Job' ? (spec.parallelism ?? 1) : kind === 'DaemonSet' ? (status?.desiredNumberScheduled ?? 0) : (spec.replicas ?? 1);
    try {
      const size = autoPoolSize(annotations, replicas);
      for (const nic of subnetRequests(annotations)) {
        for (const family of [4, 6] as const) {
          const subnet = (family === 4 ? nic.ipv4 : nic.ipv6)?.[0];
          if (subnet === undefined) continue;
          wishes.push({ owner, selector: spec.selector ?? {}, nic: nic.interface ?? 'eth0', family, subnet, size, reclaim: annotations[annotationKeys.reclaim] !== 'false' });
        }
      }
    } catch (error) {
      if (!(error instanceof CniError)) throw error;
      problems.push({ owner, message: error.message });
    }
  }
  return { wishes, problems };
}
