import test from '../../support/test.ts';
import { planBlockAllocation, planBlockRelease } from '../../../ipam/allocate/plan-block.ts';
import { blockOf } from '../../../ipam/pools/blocks.ts';
import type { IPBlockAllocation } from '../../../netconf/ipblock.ts';
import { compiled, ip } from '../fixtures.ts';

const pool = compiled({ name: 'p', ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.10-10.6.0.12'], gateway: '10.6.0.1' });
const block = blockOf(pool, ip('10.6.0.10').value);
const holder = (containerID: string, ifname = 'eth0'): IPBlockAllocation => ({ podUID: `uid-${containerID}`, namespace: 'default', name: `pod-${containerID}`, containerID, ifname, node: 'n1', at: '2026-01-01T00:00:00Z' });

test('U-IP-84 a block hands out its lowest free allocatable address and records the holder at its offset', (t) => {
  const first = planBlockAllocation(pool, block, { allocations: {} }, holder('c1'));
  t.is(first?.ip, '10.6.0.10');
  t.deepEqual(Object.keys(first?.status.allocations ?? {}), ['10']);
  const second = planBlockAllocation(pool, block, first!.status, holder('c2'));
  t.is(second?.ip, '10.6.0.11');
});

test('U-IP-85 a repeated allocation of one attachment returns its address and changes nothing', (t) => {
  const first = planBlockAllocation(pool, block, { allocations: {} }, holder('c1'))!;
  const again = planBlockAllocation(pool, block, first.status, holder('c1'))!;
  t.is(again.ip, '10.6.0.10');
  t.is(again.status, first.status);
});

test('U-IP-86 a full block (or one whose free addresses are all avoided) yields nothing; release frees only that attachment', (t) => {
  let status = { allocations: {} };
  for (const id of ['c1', 'c2', 'c3']) status = planBlockAllocation(pool, block, status, holder(id))!.status;
  t.is(planBlockAllocation(pool, block, status, holder('c4')), undefined);
  const freed = planBlockRelease(status, { containerID: 'c2', ifname: 'eth0' });
  t.deepEqual(Object.keys(freed.allocations).sort(), ['10', '12']);
  t.is(planBlockRelease(freed, { containerID: 'nobody', ifname: 'eth0' }), freed, 'nothing held: same object');
  t.is(planBlockAllocation(pool, block, freed, holder('c5'), new Set([ip('10.6.0.11').value])), undefined);
});
