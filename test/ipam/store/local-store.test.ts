// The local file store: the shared store contract, then what only a file on disk can get wrong.
import test from '../../support/test.ts';
import type { ExecutionContext } from 'ava';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openLocalStore } from '../../../ipam/store/local/local-store.ts';
import { acquireProcessLock } from '../../../ipam/store/local/process-lock.ts';
import type { IpamStore } from '../../../ipam/store/store.ts';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { emptyStoreState, StoreState } from '../../../netconf/store-state.ts';
import { allocation, runStoreContract, withAllocations } from './contract.ts';
import { tempDir } from './fixtures.ts';

const lockTimeoutMs = 5_000;

runStoreContract('local', async (t) => openLocalStore(join(await tempDir(t, 'contract'), 'data'), lockTimeoutMs));

async function freshStore(t: ExecutionContext): Promise<{ dataDir: string; file: string; store: IpamStore }> {
  const dataDir = join(await tempDir(t, 'local'), 'data');
  return { dataDir, file: join(dataDir, 'allocations.json'), store: openLocalStore(dataDir, lockTimeoutMs) };
}

async function onDisk(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

test('S-10 the file on disk is valid JSON of the committed state after each update', async (t) => {
  const { file, store } = await freshStore(t);
  let expected = emptyStoreState();
  for (let i = 0; i < 5; i++) {
    expected = withAllocations(expected, [allocation(i)]);
    expected.cursors['contract-pool'] = allocation(i).ip;
    const next = expected;
    await store.update(() => ({ state: next, value: undefined }));
    const json = await onDisk(file);
    t.deepEqual(json, expected, `after update ${i}`);
    t.true(StoreState.safeParse(json).success, `after update ${i}`);
  }
  await store.update(() => ({ value: undefined }));
  await t.throwsAsync(store.update(() => { throw new Error('change failed'); }));
  t.deepEqual(await onDisk(file), expected, 'after an update without state and a failed one');
});

test('S-11 no *.tmp file is left behind, whatever the update did', async (t) => {
  const { dataDir, store } = await freshStore(t);
  await store.update((state) => ({ state: withAllocations(state, [allocation(0)]), value: undefined }));
  await store.update(() => ({ value: undefined }));
  await t.throwsAsync(store.update(() => { throw new CniError(CniCode.PoolExhausted, 'full'); }));
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => store.update((state) => ({ state: withAllocations(state, [allocation(i + 1)]), value: undefined }))),
  );
  t.deepEqual((await readdir(dataDir)).filter((name) => name !== 'allocations.lock.live'), ['allocations.json']); // the lock's FIFO stays
  t.is((await store.read()).allocations.length, 11);
});

test('S-12 an orphan .tmp file of a killed writer is removed by the next update', async (t) => {
  const { dataDir, file, store } = await freshStore(t);
  const committed = withAllocations(emptyStoreState(), [allocation(0)]);
  await store.update(() => ({ state: committed, value: undefined }));
  // What a writer killed between its write and its rename leaves: a half-written temp file.
  const orphan = join(dataDir, '.0a1b2c3d4e5f.tmp');
  const text = JSON.stringify(withAllocations(committed, [allocation(1)]), null, 1);
  await writeFile(orphan, text.slice(0, text.length / 2), { mode: 0o600 });

  t.deepEqual(await store.read(), committed, 'reads ignore the orphan');
  const next = withAllocations(committed, [allocation(2)]);
  await store.update(() => ({ state: next, value: undefined }));
  t.deepEqual((await readdir(dataDir)).filter((name) => name !== 'allocations.lock.live'), ['allocations.json']); // the lock's FIFO stays
  t.deepEqual(await onDisk(file), next);
});

const corruptions: Array<[label: string, content: string]> = [
  ['garbage', 'this is not json\n'],
  ['a truncated write', JSON.stringify(withAllocations(emptyStoreState(), [allocation(0), allocation(1)]), null, 1).slice(0, 150)],
  ['an empty file', ''],
  ['JSON of the wrong shape', '{"version":1,"allocations":{"ip":"10.9.0.1"},"fixedBindings":[],"cursors":{}}'],
  ['a future version', '{"version":2,"allocations":[],"fixedBindings":[],"cursors":{}}'],
  ['a JSON array', '[]'],
];

for (const [label, content] of corruptions) {
  test(`S-13 a corrupt allocations.json (${label}) is CniError 5 naming the file, never a reset`, async (t) => {
    const { dataDir, file, store } = await freshStore(t);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, content, { mode: 0o600 });

    const fromRead = await t.throwsAsync(store.read(), { instanceOf: CniError });
    t.is((fromRead as CniError).code, CniCode.IoFailure);
    t.true(fromRead?.message.includes(file), fromRead?.message);

    let changeRan = false;
    const fromUpdate = await t.throwsAsync(
      store.update(() => {
        changeRan = true;
        return { state: emptyStoreState(), value: undefined };
      }),
      { instanceOf: CniError },
    );
    t.is((fromUpdate as CniError).code, CniCode.IoFailure);
    t.true(fromUpdate?.message.includes(file), fromUpdate?.message);
    t.false(changeRan, 'no change may run on a state that could not be read');
    t.is(await readFile(file, 'utf8'), content, 'the file is left as found, for a human to look at');
  });
}

test('S-14 a missing data dir is created with mode 0700', async (t) => {
  const root = await tempDir(t, 'mode');
  const dataDir = join(root, 'var', 'lib', 'nicpool');
  const store = openLocalStore(dataDir, lockTimeoutMs);
  t.deepEqual(await store.read(), emptyStoreState());
  await t.throwsAsync(stat(dataDir), { code: 'ENOENT' }, 'a read creates nothing');

  await store.update((state) => ({ state: withAllocations(state, [allocation(0)]), value: undefined }));
  t.is((await stat(dataDir)).mode & 0o777, 0o700);
  t.is((await stat(join(dataDir, 'allocations.json'))).mode & 0o777, 0o600);
  t.is((await store.read()).allocations.length, 1);
});

test('S-15 a store opened later on the same data dir reads what was committed', async (t) => {
  const { dataDir, store } = await freshStore(t);
  const committed = withAllocations(emptyStoreState(), [allocation(0), allocation(1)]);
  await store.update(() => ({ state: committed, value: undefined }));
  const reopened = openLocalStore(dataDir, lockTimeoutMs);
  t.deepEqual(await reopened.read(), committed);
  await reopened.update((state) => ({ state: withAllocations(state, [allocation(2)]), value: undefined }));
  t.is((await store.read()).allocations.length, 3);
});

test('S-16 stores opening one data dir by different paths (a symlink) share one lock', async (t) => {
  const root = await tempDir(t, 'alias');
  const real = join(root, 'real');
  const alias = join(root, 'alias');
  await mkdir(real, { mode: 0o700 });
  await symlink(real, alias);
  const stores = [openLocalStore(real, lockTimeoutMs), openLocalStore(`${alias}/`, lockTimeoutMs)];
  const count = 20;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      stores[i % 2]!.update((state) => ({ state: withAllocations(state, [allocation(i)]), value: undefined })),
    ),
  );
  t.is((await stores[0]!.read()).allocations.length, count, 'an update was lost: the two paths took different locks');
});

test('S-17 an update without state leaves the file untouched (same inode, same bytes)', async (t) => {
  const { file, store } = await freshStore(t);
  await store.update(() => ({ state: withAllocations(emptyStoreState(), [allocation(0)]), value: undefined }));
  const before = await stat(file);
  const bytes = await readFile(file, 'utf8');
  t.is(await store.update((state) => ({ value: state.allocations.length })), 1);
  const after = await stat(file);
  t.is(after.ino, before.ino);
  t.is(after.mtimeMs, before.mtimeMs);
  t.is(await readFile(file, 'utf8'), bytes);
});

test('S-18 a data dir with a long non-ASCII path still locks: distinct paths, distinct locks', async (t) => {
  const dataDir = join(await tempDir(t, 'utf8'), '节点'.repeat(30), 'données');
  const store = openLocalStore(dataDir, lockTimeoutMs);
  await Promise.all(
    Array.from({ length: 5 }, (_, i) => store.update((state) => ({ state: withAllocations(state, [allocation(i)]), value: undefined }))),
  );
  t.is((await store.read()).allocations.length, 5);

  // Keys that differ only in characters outside ASCII are still two locks; one key is one lock.
  const base = `${dataDir}/${'ü'.repeat(70)}`;
  const first = await acquireProcessLock(`${base}-ä`, 0);
  t.teardown(first);
  const second = await acquireProcessLock(`${base}-ö`, 0);
  t.teardown(second);
  const again = await t.throwsAsync(acquireProcessLock(`${base}-ä`, 0), { instanceOf: CniError });
  t.is((again as CniError).code, CniCode.TryAgainLater);
});
