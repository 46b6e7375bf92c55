/** A StatefulSet as far as its pods' addresses are concerned. */
export interface StatefulSetShape {
  name: string;
  replicas: number;
  /** spec.ordinals.start (default 0). */
  ordinalsStart: number;
}

/**
 * Whether the set still wants a pod of this name: its ordinal lies in the set's range. Then
 * the pod's addresses are kept across delete and re-create (design §4, §5); once the set is
 * scaled below it or deleted, they are freed like any other pod's.
 */
export function statefulSetWants(set: StatefulSetShape | undefined, podName: string): boolean {
  if (set === undefined || !podName.startsWith(`${set.name}-`)) return false;
  const suffix = podName.slice(set.name.length + 1);
  if (!/^(0|[1-9]\d*)$/.test(suffix)) return false;
  const ordinal = Number(suffix);
  return ordinal >= set.ordinalsStart && ordinal < set.ordinalsStart + set.replicas;
}
