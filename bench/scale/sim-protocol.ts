// What the driver (run-scale.ts) and the node simulators (node-sim.ts) agree on.

/** A pod annotated so has its DEL lost when deleted (the runtime never runs it). */
export const LOSE_DEL_ANNOTATION = 'bench.nicpool.io/lose-del';

/** One line of a simulator's stdout. `add`: `execMs` is the successful ADD itself, `ms` the pod's wait from first seen to its address. */
export type SimEvent = { type: 'ready' } | { type: 'exec'; command: 'ADD' | 'DEL' } | { type: 'add'; ms: number; execMs: number; attempts: number } | { type: 'add-failed'; code: number };
