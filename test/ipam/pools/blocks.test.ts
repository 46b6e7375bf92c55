import test from '../../support/test.ts';
import { allocatableOffsets, blockOf, blocksForNode, poolWindows } from '../../../ipam/pools/blocks.ts';
import { compiled, ip } from '../fixtures.ts';

const wide = compiled({ name: 'wide', ipVersion: 4, subnet: '10.6.0.0/16', ips: ['10.6.0.0/16'], excludeIPs: ['10.6.0.1'], gateway: '10.6.0.1' });
const v6 = compiled({ name: 'v6', ipVersion: 6, subnet: 'fd00:6::/64', ips: ['fd00:6::1:0-fd00:6::1:2ff'] });

test('U-IP-80 a block is the aligned 256-address window of an address, named after the pool and the window start', (t) => {
  t.deepEqual(blockOf(wide, ip('10.6.3.77').value), { name: 'wide-10-6-3-0', pool: 'wide', start: '10.6.3.0', startValue: ip('10.6.3.0').value, size: 256 });
  t.is(blockOf(v6, ip('fd00:6::1:1ab').value).name, 'v6-fd000006000000000000000000010100');
  t.is(blockOf(v6, ip('fd00:6::1:1ab').value).start, 'fd00:6::1:100');
});

test('U-IP-81 a /16 pool is 256 blocks; an IPv6 range is only the windows it touches (never the /64)', (t) => {
  t.is(poolWindows(wide).size(), 256n);
  t.is(poolWindows(v6).size(), 3n);
});

test('U-IP-82 each node starts at its own block, visits every block exactly once, and always in the same order', (t) => {
  const order = (node: string) => [...blocksForNode(wide, node)].map((block) => block.name);
  const a = order('node-a');
  t.is(a.length, 256);
  t.is(new Set(a).size, 256);
  t.deepEqual(order('node-a'), a, 'deterministic');
  const starts = new Set(['node-a', 'node-b', 'node-c', 'node-d'].map((node) => order(node)[0]));
  t.true(starts.size >= 3, `nodes start at different blocks: ${[...starts].join(', ')}`);
});

test('U-IP-83 a block offers only the pool\'s allocatable offsets: network, broadcast and gateway are never in it', (t) => {
  t.is(allocatableOffsets(wide, blockOf(wide, ip('10.6.0.9').value)).toString(), '{0.0.0.2-0.0.0.255}');
  t.is(allocatableOffsets(wide, blockOf(wide, ip('10.6.255.9').value)).toString(), '{0.0.0.0-0.0.0.254}');
  t.is(allocatableOffsets(v6, blockOf(v6, ip('fd00:6::1:200').value)).size(), 256n);
});
