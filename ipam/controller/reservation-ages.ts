import { performance } from 'node:perf_hooks';
import { reservationKey, type Reservation } from '../gc/world.ts';

/**
 * How long this controller has seen each reservation, on its own monotonic clock: the
 * allocation grace counts this, never the agent's `entry.at` (another machine's clock, which
 * may run minutes behind). A reservation is first seen when a pass finds it; one that leaves
 * the blocks is forgotten; a controller that restarts (or takes over the lease) starts counting
 * again, which only delays a release.
 */
export class ReservationAges {
  readonly #firstSeen = new Map<string, number>();
  readonly #clock: () => number;

  /** `clock`: monotonic milliseconds (tests pass their own). */
  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  /** Notes the reservations held now, forgets the others; returns each one's age by reservationKey. */
  observe(reservations: readonly Reservation[]): Map<string, number> {
    const now = this.#clock();
    const held = new Set(reservations.map(reservationKey));
    for (const key of this.#firstSeen.keys()) if (!held.has(key)) this.#firstSeen.delete(key);
    for (const key of held) if (!this.#firstSeen.has(key)) this.#firstSeen.set(key, now);
    return new Map([...this.#firstSeen].map(([key, since]) => [key, now - since]));
  }
}
