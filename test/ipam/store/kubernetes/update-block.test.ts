// updateBlock: one compare-and-swap per try, bounded retries on 409, against the API test
// double over HTTP, with injected conflicts and with real races between clients.
import test from '../../../support/test.ts';
import { createBlockClient } from '../../../../ipam/store/kubernetes/block-client.ts';
import { updateBlock } from '../../../../ipam/store/kubernetes/update-block.ts';
import { CniError } from '../../../../netconf/errors.ts';
import type { IPBlockStatus } from '../../../../netconf/ipblock.ts';
import { IPBLOCKS, allocation, recordingSleep, rejection, setup, specA, take } from './helpers.ts';

const NAME = 'pool-a-10-1-0-0';
const statusOf = (api: { objects: { get(r: string, n: string): Record<string, unknown> | undefined } }): IPBlockStatus | undefined =>
  api.objects.get(IPBLOCKS, NAME)?.['status'] as IPBlockStatus | undefined;

test('B-12 updateBlock reads, applies the change and writes once; the change’s value is returned', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  api.metrics.reset();
  t.true(await updateBlock(client, NAME, take(3, allocation(3))));
  t.deepEqual(statusOf(api), { allocations: { '3': allocation(3) } });
  t.is(api.metrics.count('get', IPBLOCKS), 1);
  t.is(api.metrics.count('update', IPBLOCKS), 1);
});

test('B-13 a change returning no status writes nothing', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  await updateBlock(client, NAME, take(3, allocation(3)));
  api.metrics.reset();
  t.false(await updateBlock(client, NAME, take(3, allocation(4))));
  t.is(api.metrics.count('update', IPBLOCKS), 0);
  t.deepEqual(statusOf(api), { allocations: { '3': allocation(3) } });
});

test('B-14 three 409s: re-read and retried with backoff, succeeds on the 4th attempt', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  api.metrics.reset();
  api.faults.conflictNextWrites(3, { resource: IPBLOCKS });
  const { sleeps, sleep } = recordingSleep();
  let runs = 0;
  const change = take(7, allocation(7));
  const value = await updateBlock(client, NAME, (block) => (runs++, change(block)), { sleep, jitter: () => 0.5 });
  t.true(value);
  t.is(runs, 4);
  t.is(api.metrics.conflicts, 3);
  t.is(api.metrics.count('get', IPBLOCKS), 4, 'every retry re-reads');
  t.is(api.metrics.count('update', IPBLOCKS), 4);
  t.deepEqual(sleeps, [5, 10, 20], 'jitter × base 10 ms doubling');
  t.deepEqual(statusOf(api), { allocations: { '7': allocation(7) } });
});

test('B-15 conflicts beyond maxAttempts: code 11 "pool contention", nothing written', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  api.faults.conflictNextWrites(100, { resource: IPBLOCKS });
  const { sleeps, sleep } = recordingSleep();
  const error = await rejection(updateBlock(client, NAME, take(1, allocation(1)), { sleep }));
  t.true(error instanceof CniError);
  t.like(error, { code: 11, message: `pool contention on block ${NAME}, try again later` });
  t.is(api.metrics.conflicts, 16, 'default maxAttempts is 16');
  t.is(sleeps.length, 15);
  t.true(sleeps.every((ms) => ms >= 0 && ms <= 500), 'backoff is capped');
  t.is(statusOf(api)?.allocations['1'], undefined);
});

test('B-16 20 concurrent updates from 4 clients to one block: real CAS races, no allocation lost', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  api.metrics.reset();
  // Separate KubeConfigs: separate connection pools, as agents on separate nodes.
  const clients = [0, 1, 2, 3].map(() => createBlockClient(api.kubeConfig()));
  // Bounded generously: the test is about lost updates, not the bound (B-15); the agent
  // coalesces same-block ADDs, so 20 writers on one block is far beyond production.
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => updateBlock(clients[i % 4]!, NAME, take(i, allocation(i)), { maxAttempts: 100, baseDelayMs: 2, maxDelayMs: 20 })),
  );
  t.true(results.every(Boolean));
  const allocations = statusOf(api)?.allocations ?? {};
  t.is(Object.keys(allocations).length, 20);
  for (let i = 0; i < 20; i++) t.deepEqual(allocations[String(i)], allocation(i));
  t.true(api.metrics.conflicts > 0, 'the writers really raced');
  t.is(api.metrics.count('update', IPBLOCKS) - api.metrics.conflicts, 20, 'one successful write per allocation');
});

test('B-17 a 5xx is not retried by updateBlock: code 11, and the caller’s retry succeeds', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  api.faults.failNext(1, 500);
  const error = await rejection(updateBlock(client, NAME, take(2, allocation(2))));
  t.like(error, { code: 11 });
  t.regex((error as Error).message, new RegExp(`${api.url}.*IPBlock ${NAME}`));
  t.true(await updateBlock(client, NAME, take(2, allocation(2))));
  t.deepEqual(statusOf(api), { allocations: { '2': allocation(2) } });
});

test('B-18 API server down: code 11 naming the server; a missing block is code 5', async (t) => {
  const { api, client } = await setup(t);
  t.like(await rejection(updateBlock(client, 'nope', take(0, allocation(0)))), { code: 5, message: `IPBlock nope does not exist on ${api.url}` });
  await api.faults.down();
  const error = await rejection(updateBlock(client, NAME, take(0, allocation(0))));
  t.like(error, { code: 11 });
  t.true((error as Error).message.includes(`Kubernetes API server ${api.url} unreachable`), (error as Error).message);
});
