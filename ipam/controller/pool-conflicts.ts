import type { Condition } from '../../netconf/crd-schema.ts';
import type { IPPool } from '../../netconf/ippool.ts';
import type { PoolConflict } from '../pools/compiled-pool.ts';
import { splitPoolSet } from '../pools/pool-set.ts';
import type { ListedPool } from './controller-cache.ts';
import type { EventRecorder } from './events.ts';

export const CONFLICT = 'Conflict';

/**
 * The pools set aside for overlapping another (splitPoolSet, the rule the agents apply too),
 * by name. Names are unique in the API, so splitPoolSet's duplicate check cannot fire here.
 */
export function poolConflicts(pools: readonly IPPool[]): ReadonlyMap<string, PoolConflict> {
  const conflicts = new Map<string, PoolConflict>();
  for (const [name, pool] of splitPoolSet(pools).conflicting) conflicts.set(name, pool.conflict);
  return conflicts;
}

export function conflictMessage(conflict: PoolConflict): string {
  return `set aside: it ${conflict.message}; no address is handed out from either pool until one is changed or deleted`;
}

/**
 * A pool's status.conditions with its Conflict condition brought up to date: present (True)
 * while the pool is set aside, gone once it is not. Other conditions are kept as they are; the
 * transition time is kept while the condition stays True.
 */
export function withConflictCondition(current: unknown, conflict: PoolConflict | undefined, now: Date): unknown[] {
  const conditions = Array.isArray(current) ? (current as unknown[]) : [];
  const others = conditions.filter((condition) => !isConflict(condition));
  if (conflict === undefined) return others;
  const previous = conditions.find(isConflict);
  const condition: Condition = {
    type: CONFLICT,
    status: 'True',
    reason: 'Overlap',
    message: conflictMessage(conflict),
    lastTransitionTime: previous?.status === 'True' ? previous.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  return [...others, condition];
}

/** Whether the pool's stored status says it is set aside (the controller wrote so earlier). */
export function markedConflicting(status: unknown): boolean {
  const conditions = (status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(conditions) && conditions.some((condition) => isConflict(condition) && condition.status === 'True');
}

/**
 * A Warning Event on each pool set aside, naming the pools it overlaps (said once per message),
 * and a Normal one on a pool whose stored condition says conflict when it no longer is.
 */
export async function sayPoolConflicts(events: EventRecorder, pools: readonly ListedPool[], conflicts: ReadonlyMap<string, PoolConflict>): Promise<void> {
  for (const { pool, object } of pools) {
    const name = pool.metadata.name;
    const target = { apiVersion: 'nicpool.io/v1', kind: 'IPPool', name, ...(object.metadata?.uid && { uid: object.metadata.uid }) };
    const conflict = conflicts.get(name);
    if (conflict !== undefined) await events.say(target, 'Warning', 'PoolConflict', `IPPool ${JSON.stringify(name)} ${conflictMessage(conflict)}`);
    else if (markedConflicting(object.status)) await events.say(target, 'Normal', 'PoolConflictResolved', `IPPool ${JSON.stringify(name)} overlaps no other pool any more and serves again`);
  }
}

function isConflict(condition: unknown): condition is Condition {
  return typeof condition === 'object' && condition !== null && (condition as { type?: unknown }).type === CONFLICT;
}
