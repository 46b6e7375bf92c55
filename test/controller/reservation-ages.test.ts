// ReservationAges (ipam/controller/reservation-ages.ts): the allocation grace counted on the
// controller's own clock, from when it first saw each reservation.
import test from '../support/test.ts';
import { ReservationAges } from '../../ipam/controller/reservation-ages.ts';
import { reservationKey, type Reservation } from '../../ipam/gc/world.ts';

function reservation(offset: number, containerID = 'c1', at = '2001-01-01T00:00:00Z'): Reservation {
  return { block: 'a-0a000000', offset, ip: `10.0.0.${offset}`, pool: 'a', entry: { podUID: 'u1', namespace: 'default', name: 'p', containerID, ifname: 'eth0', node: 'n', at } };
}

test('U-GC-16 a reservation\'s age runs from when this controller first saw it, whatever entry.at says; one that leaves is forgotten, and comes back at 0', (t) => {
  let clock = 1_000;
  const ages = new ReservationAges(() => clock);
  const a = reservation(1);
  const b = reservation(2, 'c2');
  t.deepEqual(ages.observe([a]), new Map([[reservationKey(a), 0]]), 'stamped in 2001, first seen now: 0 ms');
  clock += 500;
  t.deepEqual(ages.observe([a, b]), new Map([[reservationKey(a), 500], [reservationKey(b), 0]]));
  clock += 500;
  t.deepEqual(ages.observe([b]), new Map([[reservationKey(b), 500]]), 'a left the blocks: forgotten');
  clock += 500;
  t.deepEqual(ages.observe([a, b]), new Map([[reservationKey(b), 1000], [reservationKey(a), 0]]), 'a again: a new reservation');
  const restarted = new ReservationAges(() => clock);
  t.deepEqual(restarted.observe([b]), new Map([[reservationKey(b), 0]]), 'a restarted controller counts again: it only waits longer');
});
