// Two overlapping IPPools stored past the webhook (created at the same moment, or no webhook):
// the controller marks both with a Conflict condition and a Warning Event naming the other.
import test from '../support/test.ts';
import { pool, simCluster, type SimCluster } from '../support/k8s-cluster.ts';

interface Condition { type: string; status: string; reason: string; message: string; lastTransitionTime: string }
interface Event { reason: string; type: string; message: string; involvedObject: { apiVersion: string; kind: string; name: string } }

const statusOf = (cluster: SimCluster, name: string) =>
  (cluster.api.objects.get('ippools.nicpool.io', name) as unknown as { status?: { totalIPCount?: number; conditions?: Condition[] } } | undefined)?.status;
const conflictOf = (cluster: SimCluster, name: string) => statusOf(cluster, name)?.conditions?.find((condition) => condition.type === 'Conflict');
const eventsOf = (cluster: SimCluster, name: string) =>
  (cluster.api.objects.list('events', 'default') as unknown as Event[]).filter((event) => event.involvedObject.kind === 'IPPool' && event.involvedObject.name === name);

test('Z-15 overlapping pools: the controller puts a Conflict condition and a Warning Event naming the other pool on both; an unrelated pool gets none; the condition goes once the overlap does', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('ippools.nicpool.io', pool('x', { ipVersion: 4, subnet: '10.79.0.0/24', ips: ['10.79.0.10-10.79.0.20'] }));
  cluster.seed('ippools.nicpool.io', pool('y', { ipVersion: 4, subnet: '10.79.0.0/24', ips: ['10.79.0.15-10.79.0.30'] }));
  cluster.seed('ippools.nicpool.io', pool('u', { ipVersion: 4, subnet: '10.80.0.0/24', ips: ['10.80.0.10-10.80.0.20'] }));
  await cluster.startController(['--allocation-grace', '0']);

  for (const [name, other] of [['x', 'y'], ['y', 'x']] as const) {
    const condition = await cluster.until('ippools.nicpool.io', () => conflictOf(cluster, name), (c) => c !== undefined, `a Conflict condition on ${name}`);
    t.like(condition, {
      type: 'Conflict',
      status: 'True',
      reason: 'Overlap',
      message: `set aside: it overlaps pool "${other}" at 10.79.0.15-10.79.0.20; no address is handed out from either pool until one is changed or deleted`,
    });
    t.regex(condition!.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [event] = await cluster.until('events', () => eventsOf(cluster, name), (list) => list.length > 0, `an Event on IPPool ${name}`);
    t.like(event, { type: 'Warning', reason: 'PoolConflict', involvedObject: { apiVersion: 'nicpool.io/v1', kind: 'IPPool', name } });
    t.is(event!.message, `IPPool "${name}" set aside: it overlaps pool "${other}" at 10.79.0.15-10.79.0.20; no address is handed out from either pool until one is changed or deleted`);
  }
  // The counters are still written beside the condition; the unrelated pool has no condition.
  t.is(statusOf(cluster, 'x')?.totalIPCount, 11);
  await cluster.until('ippools.nicpool.io', () => statusOf(cluster, 'u'), (s) => s?.totalIPCount === 11, 'counters on u');
  t.is(statusOf(cluster, 'u')?.conditions, undefined);
  t.deepEqual(eventsOf(cluster, 'u'), []);

  cluster.api.objects.forceDelete('ippools.nicpool.io', 'y');
  await cluster.until('ippools.nicpool.io', () => statusOf(cluster, 'x'), (s) => s !== undefined && s.conditions === undefined, 'the Conflict condition gone from x');
  const resolved = await cluster.until('events', () => eventsOf(cluster, 'x'), (list) => list.some((event) => event.reason === 'PoolConflictResolved'), 'a resolution Event on x');
  t.like(resolved.find((event) => event.reason === 'PoolConflictResolved'), { type: 'Normal', message: 'IPPool "x" overlaps no other pool any more and serves again' });
});
