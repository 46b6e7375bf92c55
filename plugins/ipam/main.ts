// nicpool-ipam: one fixed IP per NIC from nicpool pools (design §1, §4).
import { ipamAdd } from '../../ipam/cni/add.ts';
import { ipamCheck } from '../../ipam/cni/check.ts';
import { ipamDel } from '../../ipam/cni/del.ts';
import { ipamGc } from '../../ipam/cni/gc.ts';
import { ipamStatus } from '../../ipam/cni/status.ts';
import type { Allocation } from '../../netconf/store-state.ts';
import { runPlugin, type PluginInput } from '../skel/run-plugin.ts';

const describe = (released: Allocation[]) => released.map((a) => `${a.ip} (pool ${a.pool}, ${a.containerID} ${a.ifname})`).join(', ');

void runPlugin('nicpool-ipam', {
  add: ipamAdd,
  check: ipamCheck,
  status: ipamStatus,
  async del(input: PluginInput) {
    const released = await ipamDel(input);
    if (released.length > 0) input.log(`released ${describe(released)}`);
  },
  async gc(input: PluginInput) {
    const released = await ipamGc(input);
    if (released.length > 0) input.log(`GC released ${describe(released)}`);
  },
});
