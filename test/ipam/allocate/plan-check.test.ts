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
const prefixes: Record<string, number> = { p4: 24, p6: 64 };
const prefixOf = (pool: string): number | undefined => prefixes[pool];
const ips = (...addresses: string[]) => ({ ips: addresses.map((address) => ({ address })) });

test('U-IP-72 CHECK without a reservation for the attachment is code 103', (t) => {
  throwsCni(t, () => checkReservation(state(), eth0, ips('10.0.0.10/24'), prefixOf), 103, 'container c1 eth0 holds no reservation');
  throwsCni(t, () => checkReservation(held, { containerID: 'c2', ifname: 'eth0' }, ips('10.0.0.10/24'), prefixOf), 103, 'container c2 eth0 holds no reservation');
});

test('U-IP-73 CHECK with a held IP absent from prevResult is code 103 naming it and what prevResult had', (t) => {
  throwsCni(t, () => checkReservation(held, eth0, ips('10.0.0.10/24'), prefixOf), 103,
    'container c1 eth0 holds fd00::10/64, absent from prevResult.ips (held [10.0.0.10/24, fd00::10/64], prevResult.ips [10.0.0.10/24])');
  throwsCni(t, () => checkReservation(held, eth0, ips(), prefixOf), 103,
    'container c1 eth0 holds 10.0.0.10/24, fd00::10/64, absent from prevResult.ips (held [10.0.0.10/24, fd00::10/64], prevResult.ips [])');
  throwsCni(t, () => checkReservation(held, eth0, ips('10.0.0.11/24', 'fd00::10/64'), prefixOf), 103,
    'container c1 eth0 holds 10.0.0.10/24, absent from prevResult.ips; does not hold 10.0.0.11/24 of prevResult.ips (held [10.0.0.10/24, fd00::10/64], prevResult.ips [10.0.0.11/24, fd00::10/64])');
});

test('U-IP-74 CHECK passes when prevResult lists exactly the held IPs with their prefix lengths, in any IPv6 spelling', (t) => {
  t.notThrows(() => checkReservation(held, eth0, ips('10.0.0.10/24', 'FD00:0::10/64'), prefixOf));
  t.notThrows(() => checkReservation(held, eth0, ips('fd00:0000:0000:0000:0000:0000:0000:0010/64', '10.0.0.10/24'), prefixOf));
  t.notThrows(() => checkReservation(held, { containerID: 'c1', ifname: 'net1' }, ips('10.0.0.11/24'), prefixOf));
  // An address on another sandbox interface of the same result is not this attachment's.
  const withOther = { interfaces: [{ name: 'eth0', sandbox: '/ns' }, { name: 'net9', sandbox: '/ns' }], ips: [{ address: '10.0.0.10/24', interface: 0 }, { address: 'fd00::10/64' }, { address: '10.9.0.1/24', interface: 1 }] };
  t.notThrows(() => checkReservation(held, eth0, withOther, prefixOf));
});

test('U-IP-100 CHECK fails (103) on an extra, unreserved address in prevResult, on a wrong or missing prefix, and on a pool that is gone', (t) => {
  throwsCni(t, () => checkReservation(held, eth0, ips('10.0.0.10/24', 'fd00::10/64', '10.0.0.99/24'), prefixOf), 103,
    'container c1 eth0 does not hold 10.0.0.99/24 of prevResult.ips (held [10.0.0.10/24, fd00::10/64], prevResult.ips [10.0.0.10/24, fd00::10/64, 10.0.0.99/24])');
  throwsCni(t, () => checkReservation(held, eth0, ips('10.0.0.10/16', 'fd00::10/64'), prefixOf), 103,
    'container c1 eth0 holds 10.0.0.10/24, absent from prevResult.ips; does not hold 10.0.0.10/16 of prevResult.ips (held [10.0.0.10/24, fd00::10/64], prevResult.ips [10.0.0.10/16, fd00::10/64])');
  throwsCni(t, () => checkReservation(held, eth0, ips('10.0.0.10', 'fd00::10/64'), prefixOf), 103,
    'prevResult.ips[0].address: "10.0.0.10" is not an address with a prefix length');
  throwsCni(t, () => checkReservation(held, eth0, ips('10.0.0.10/24', 'fd00::10/64'), (pool) => (pool === 'p4' ? 24 : undefined)), 103,
    'container c1 eth0 holds fd00::10 of pool "p6", which no longer exists');
});
