import type { StoreState } from '../../netconf/store-state.ts';

/** What a change to the store returns: a new state to commit (or none) and a value for the caller. */
export interface StoreChange<T> {
  state?: StoreState;
  value: T;
}

/**
 * The store contract every implementation keeps: `update` runs `change` on a consistent
 * snapshot and commits its result atomically, so two updates never both see the same
 * free address. A crash at any instant leaves either the old or the new state.
 */
export interface IpamStore {
  read(): Promise<StoreState>;
  update<T>(change: (state: StoreState) => StoreChange<T>): Promise<T>;
}
