import test from '../../support/test.ts';
import { checkReservation } from '../../../ipam/allocate/plan-check.ts';
import { allocation, state, throwsCni } from '../fixtures.ts';

const held = state({
  allocations: [
    allocation({ ip: '10.0.0.10', pool: 'p4' }),
    allocation({ ip: 'fd00::10', pool: 'p6' }),
    allocation({ ip: '10.0.0.11', pool: 'p4', ifname: 'net1' }),
  ],
});
const eth0 = { containerID: 'c1', ifname: 'eth0' };

test('U-IP-72 CHECK without a reservation for the attachment is code 103', (t) => {
  throwsCni(t, () => checkReservation(state(), eth0, ['10.0.0.10/24']), 103, 'container c1 eth0 holds no reservation');
  throwsCni(t, () => checkReservation(held, { containerID: 'c2', ifname: 'eth0' }, ['10.0.0.10/24']), 103, 'container c2 eth0 holds no reservation');
});

test('U-IP-73 CHECK with a held IP absent from prevResult is code 103 naming it and what prevResult had', (t) => {
  throwsCni(t, () => checkReservation(held, eth0, ['10.0.0.10/24']), 103,
    'container c1 eth0 holds fd00::10, absent from prevResult.ips [10.0.0.10]');
  throwsCni(t, () => checkReservation(held, eth0, []), 103,
    'container c1 eth0 holds 10.0.0.10, fd00::10, absent from prevResult.ips []');
  throwsCni(t, () => checkReservation(held, eth0, ['10.0.0.11/24', 'fd00::10/64']), 103,
    'container c1 eth0 holds 10.0.0.10, absent from prevResult.ips [10.0.0.11, fd00::10]');
});

test('U-IP-74 CHECK passes when prevResult lists every held IP, with prefix lengths and non-canonical IPv6 text', (t) => {
  t.notThrows(() => checkReservation(held, eth0, ['10.0.0.10/24', 'FD00:0::10/64']));
  t.notThrows(() => checkReservation(held, eth0, ['fd00:0000:0000:0000:0000:0000:0000:0010/64', '10.0.0.10']));
  t.notThrows(() => checkReservation(held, { containerID: 'c1', ifname: 'net1' }, ['10.0.0.11/24']));
});
