// The IPBlock client against the API test double over HTTP: outcomes as values, failures as
// CniErrors with the code the runtime needs (11 retry later, 5 refused or malformed).
import test from '../../../support/test.ts';
import { POOL_LABEL } from '../../../../ipam/store/kubernetes/block-client.ts';
import { blockName } from '../../../../ipam/pools/block-name.ts';
import { CniError } from '../../../../netconf/errors.ts';
import { IPBLOCKS, allocation, rejection, setup, specA, specA2, specB } from './helpers.ts';

test('B-01 createBlock names the block from pool and start, labels it with its pool; a second create is AlreadyExists', async (t) => {
  const { api, client } = await setup(t);
  const created = await client.createBlock(specA, { team: 'x' });
  if (created.kind !== 'Created') return t.fail(created.kind);
  t.is(created.block.metadata.name, 'pool-a-10-1-0-0');
  t.deepEqual(created.block.spec, specA);
  t.truthy(created.resourceVersion);
  t.deepEqual(api.objects.get(IPBLOCKS, 'pool-a-10-1-0-0')?.metadata.labels, { team: 'x', [POOL_LABEL]: 'pool-a' });
  t.deepEqual(await client.createBlock({ ...specA, size: 8 }), { kind: 'AlreadyExists', name: 'pool-a-10-1-0-0' });
  t.deepEqual(api.objects.get(IPBLOCKS, 'pool-a-10-1-0-0')?.['spec'], specA, 'the existing block is untouched');
});

test('B-02 blockName: IPv6 starts are 32 hex digits; every start has one name', (t) => {
  t.is(blockName({ pool: 'v6', start: 'fd00::100' }), 'v6-fd000000000000000000000000000100');
  t.is(blockName({ pool: 'v6', start: 'fd00:0:0::0100' }), blockName({ pool: 'v6', start: 'fd00::100' }));
  t.is(blockName({ pool: 'p', start: '10.0.0.0' }), 'p-10-0-0-0');
});

test('B-03 getBlock reads the block and its resourceVersion; a missing block is undefined', async (t) => {
  const { client } = await setup(t);
  await client.createBlock(specA);
  const read = await client.getBlock('pool-a-10-1-0-0');
  t.deepEqual(read?.block.spec, specA);
  t.regex(read?.resourceVersion ?? '', /^\d+$/);
  t.is(await client.getBlock('pool-a-10-9-9-0'), undefined);
});

test('B-04 listBlocks(pool) lists only that pool’s blocks; listBlocks() lists all', async (t) => {
  const { client } = await setup(t);
  for (const spec of [specA, specA2, specB]) await client.createBlock(spec);
  const names = (blocks: Awaited<ReturnType<typeof client.listBlocks>>): string[] => blocks.map((b) => b.block.metadata.name).sort();
  t.deepEqual(names(await client.listBlocks('pool-a')), ['pool-a-10-1-0-0', 'pool-a-10-1-1-0']);
  t.deepEqual(names(await client.listBlocks('pool-b')), ['pool-b-10-2-0-0']);
  t.deepEqual(names(await client.listBlocks('pool-c')), []);
  t.is((await client.listBlocks()).length, 3);
});

test('B-05 replaceBlockStatus writes the status at the read resourceVersion; a stale one is Conflict and writes nothing', async (t) => {
  const { api, client } = await setup(t);
  const created = await client.createBlock(specA);
  if (created.kind !== 'Created') return t.fail(created.kind);
  const first = await client.replaceBlockStatus('pool-a-10-1-0-0', { allocations: { '5': allocation(5) } }, created.resourceVersion);
  if (first.kind !== 'Replaced') return t.fail(first.kind);
  t.not(first.resourceVersion, created.resourceVersion);
  t.deepEqual(first.block.status, { allocations: { '5': allocation(5) } });
  t.deepEqual(first.block.spec, specA, 'a status write leaves the spec');
  const stale = await client.replaceBlockStatus('pool-a-10-1-0-0', { allocations: { '6': allocation(6) } }, created.resourceVersion);
  t.deepEqual(stale, { kind: 'Conflict', name: 'pool-a-10-1-0-0' });
  t.deepEqual(api.objects.get(IPBLOCKS, 'pool-a-10-1-0-0')?.['status'], { allocations: { '5': allocation(5) } });
  t.is(api.metrics.conflicts, 1);
});

test('B-06 a 5xx is code 11 naming the server and the block; the next call succeeds', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  api.faults.failNext(1, 500);
  const error = await rejection(client.getBlock('pool-a-10-1-0-0'));
  t.true(error instanceof CniError);
  t.like(error, { code: 11 });
  t.regex((error as Error).message, new RegExp(`${api.url}.*IPBlock pool-a-10-1-0-0.*try again later`));
  t.truthy(await client.getBlock('pool-a-10-1-0-0'));
});

test('B-07 an unreachable API server is code 11 naming it; up() again serves', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specA);
  await api.faults.down();
  for (const call of [client.getBlock('pool-a-10-1-0-0'), client.listBlocks('pool-a'), client.createBlock(specB), client.replaceBlockStatus('pool-a-10-1-0-0', { allocations: {} }, '1')]) {
    const error = await rejection(call);
    t.true(error instanceof CniError);
    t.like(error, { code: 11 });
    t.true((error as Error).message.includes(`Kubernetes API server ${api.url} unreachable`), (error as Error).message);
  }
  await api.faults.up();
  t.truthy(await client.getBlock('pool-a-10-1-0-0'));
});

test('B-08 a request that outlives timeoutMs is code 11', async (t) => {
  const { api, client } = await setup(t, { timeoutMs: 50 });
  api.faults.latencyMs = 2_000;
  const error = await rejection(client.getBlock('pool-a-10-1-0-0'));
  t.like(error, { code: 11 });
  t.regex((error as Error).message, /timed out/);
});

test('B-09 a malformed stored block is code 5 naming the block (get and list)', async (t) => {
  const { api, client } = await setup(t);
  await client.createBlock(specB);
  api.objects.seed(IPBLOCKS, {
    apiVersion: 'nicpool.io/v1',
    kind: 'IPBlock',
    metadata: { name: 'pool-a-10-1-0-0', labels: { [POOL_LABEL]: 'pool-a' } },
    spec: { ...specA, size: 4 },
    status: { allocations: { '9': allocation(9) } },
  });
  const error = await rejection(client.getBlock('pool-a-10-1-0-0'));
  t.true(error instanceof CniError);
  t.like(error, { code: 5 });
  t.regex((error as Error).message, /IPBlock pool-a-10-1-0-0\.status\.allocations\.9.*past the end of the block/);
  t.like(await rejection(client.listBlocks()), { code: 5 });
  t.is((await client.listBlocks('pool-b')).length, 1, 'other pools still list');
});

test('B-10 an unknown key in a stored block is code 5 too (not 2: it is stored data, not config)', async (t) => {
  const { api, client } = await setup(t);
  api.objects.seed(IPBLOCKS, { apiVersion: 'nicpool.io/v1', kind: 'IPBlock', metadata: { name: 'odd' }, spec: { ...specA, extra: 1 } });
  const error = await rejection(client.getBlock('odd'));
  t.like(error, { code: 5 });
  t.regex((error as Error).message, /IPBlock odd\.spec: unsupported key "extra"/);
});

test('B-11 other 4xx are code 5 with the API’s message; a status write to a missing block is one', async (t) => {
  const { api, client } = await setup(t);
  api.faults.failNext(1, 403);
  const forbidden = await rejection(client.listBlocks());
  t.like(forbidden, { code: 5 });
  t.regex((forbidden as Error).message, /refused listing IPBlocks \(403\): injected fault \(403\)/);
  const missing = await rejection(client.replaceBlockStatus('gone', { allocations: {} }, '7'));
  t.like(missing, { code: 5 });
  t.regex((missing as Error).message, /IPBlock gone \(404\)/);
});
