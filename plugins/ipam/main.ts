// nicpool-ipam: one fixed IP per NIC from nicpool pools (design §1, §4). Each verb runs here
// on the local store, or, with ipam.agentSocket, in the node agent.
import { ipamAdd } from '../../ipam/cni/add.ts';
import { ipamCheck } from '../../ipam/cni/check.ts';
import { ipamDel } from '../../ipam/cni/del.ts';
import { ipamGc } from '../../ipam/cni/gc.ts';
import { ipamStatus } from '../../ipam/cni/status.ts';
import { DEFAULT_AGENT_SOCKET } from '../../netconf/agent-defaults.ts';
import type { AgentCommand } from '../../netconf/agent-protocol.ts';
import type { Allocation } from '../../netconf/store-state.ts';
import { runPlugin, type PluginInput } from '../skel/run-plugin.ts';

/**
 * The agent's socket when the ipam block names one, or the default one for the Kubernetes store
 * (served only by the agent). Anything but an absolute path takes the local path, whose schema
 * reports it.
 */
function agentSocketOf(input: PluginInput): string | undefined {
  const socket = input.conf.ipam?.['agentSocket'];
  if (typeof socket === 'string' && socket.startsWith('/')) return socket;
  return socket === undefined && input.conf.ipam?.['store'] === 'kubernetes' ? DEFAULT_AGENT_SOCKET : undefined;
}

// Loaded only when an agent is used: the local path never pays for node:http.
const agentClient = () => import('../../ipam/cni/agent-client.ts');

async function inAgentOrLocally(command: AgentCommand, input: PluginInput, local: () => Promise<unknown>): Promise<void> {
  const socket = agentSocketOf(input);
  if (socket === undefined) await local();
  else await (await agentClient()).callAgent(socket, command, input);
}

function logReleased(input: PluginInput, what: string, released: Allocation[]): void {
  if (released.length > 0) input.log(`${what} ${released.map((a) => `${a.ip} (pool ${a.pool}, ${a.containerID} ${a.ifname})`).join(', ')}`);
}

void runPlugin('nicpool-ipam', {
  async add(input) {
    const socket = agentSocketOf(input);
    return socket === undefined ? ipamAdd(input) : (await agentClient()).agentAdd(socket, input);
  },
  check: (input) => inAgentOrLocally('CHECK', input, () => ipamCheck(input)),
  status: (input) => inAgentOrLocally('STATUS', input, () => ipamStatus(input)),
  del: (input) => inAgentOrLocally('DEL', input, async () => logReleased(input, 'released', await ipamDel(input))),
  gc: (input) => inAgentOrLocally('GC', input, async () => logReleased(input, 'GC released', await ipamGc(input))),
});
