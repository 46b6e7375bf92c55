// The contract every IpamStore keeps (ipam/store/store.ts), as one suite each store's test file
// runs against its own factory: runStoreContract('local', (t) => ...). Titles carry the store's
// name so several stores can share one ava run.
import test from '../../support/test.ts';
import type { ExecutionContext } from 'ava';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { emptyStoreState } from '../../../netconf/store-state.ts';
import type { Allocation, StoreState } from '../../../netconf/store-state.ts';
import type { IpamStore } from '../../../ipam/store/store.ts';

/** `newStore` returns a fresh, empty store of its own and registers its cleanup on `t`. */
export type NewStore = (t: ExecutionContext) => Promise<IpamStore>;

export function runStoreContract(name: string, newStore: NewStore): void {
  test(`S-01 [${name}] read of a new store is the empty state`, async (t) => {
    const store = await newStore(t);
    t.deepEqual(await store.read(), emptyStoreState());
  });

  test(`S-02 [${name}] update commits the returned state and returns the change's value`, async (t) => {
    const store = await newStore(t);
    const value = { answer: 42 };
    const committed = withAllocations(emptyStoreState(), [allocation(1)]);
    committed.cursors['contract-pool'] = '10.9.0.1';
    let seen: StoreState | undefined;
    const returned = await store.update((state) => {
      seen = state;
      return { state: committed, value };
    });
    t.is(returned, value);
    t.deepEqual(seen, emptyStoreState());
    t.deepEqual(await store.read(), committed);
  });

  test(`S-03 [${name}] update that returns no state writes nothing`, async (t) => {
    const store = await newStore(t);
    const before = withAllocations(emptyStoreState(), [allocation(1), allocation(2)]);
    await store.update(() => ({ state: before, value: undefined }));
    const returned = await store.update((state) => {
      // Scribbling on the snapshot without returning it must not reach the store either.
      state.allocations.push(allocation(3));
      state.cursors['contract-pool'] = '10.9.0.3';
      return { value: 'read-only' };
    });
    t.is(returned, 'read-only');
    t.deepEqual(await store.read(), before);
  });

  test(`S-04 [${name}] a change that throws commits nothing and its error propagates unchanged`, async (t) => {
    const store = await newStore(t);
    const before = withAllocations(emptyStoreState(), [allocation(1)]);
    await store.update(() => ({ state: before, value: undefined }));

    const exhausted = new CniError(CniCode.PoolExhausted, 'pool "contract-pool" is exhausted', 'details stay');
    const caught = await t.throwsAsync(
      store.update((state) => {
        state.allocations.push(allocation(2));
        throw exhausted;
      }),
    );
    t.is(caught, exhausted);
    t.is((caught as CniError).code, CniCode.PoolExhausted);
    t.is((caught as CniError).details, 'details stay');

    const plain = new TypeError('not a CniError');
    t.is(await t.throwsAsync(store.update(() => { throw plain; })), plain);

    t.deepEqual(await store.read(), before);
    // Whatever the store guards itself with was let go: the next update goes through.
    const after = withAllocations(before, [allocation(4)]);
    t.is(await store.update(() => ({ state: after, value: 'next' })), 'next');
    t.deepEqual(await store.read(), after);
  });

  test(`S-05 [${name}] 20 concurrent updates each appending one allocation lose none`, async (t) => {
    const store = await newStore(t);
    const count = 20;
    const values = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.update((state) => ({ state: withAllocations(state, [allocation(i)]), value: i })),
      ),
    );
    t.deepEqual(values, Array.from({ length: count }, (_, i) => i));
    const ids = (await store.read()).allocations.map((held) => held.containerID).sort();
    t.deepEqual(ids, Array.from({ length: count }, (_, i) => allocation(i).containerID).sort());
  });

  test(`S-06 [${name}] every update sees the state the previous one committed`, async (t) => {
    const store = await newStore(t);
    const count = 20;
    const counterOf = (state: StoreState) => Number(state.cursors['contract-counter'] ?? '0');
    const increment = () =>
      store.update((state) => {
        const seen = counterOf(state);
        return { state: { ...state, cursors: { ...state.cursors, 'contract-counter': String(seen + 1) } }, value: seen };
      });
    // One at a time, then all at once: each update must start from the last commit.
    t.is(await increment(), 0);
    t.is(await increment(), 1);
    const seen = await Promise.all(Array.from({ length: count - 2 }, increment));
    t.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: count - 2 }, (_, i) => i + 2));
    t.is(counterOf(await store.read()), count);
  });
}

/** A valid allocation (the store may check its state's shape), distinct per `i`. */
export function allocation(i: number): Allocation {
  return {
    ip: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    pool: 'contract-pool',
    containerID: `contract-${String(i).padStart(4, '0')}`,
    ifname: 'eth0',
    network: 'contract-net',
    podNamespace: 'default',
    podName: `pod-${i}`,
    allocatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  };
}

export function withAllocations(state: StoreState, added: Allocation[]): StoreState {
  return { ...state, allocations: [...state.allocations, ...added], fixedBindings: [...state.fixedBindings], cursors: { ...state.cursors } };
}
