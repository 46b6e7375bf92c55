import { DEFAULT_AGENT_WAIT_MS, MAX_AGENT_WAIT_MS } from '../../netconf/agent-defaults.ts';
import { AgentError, AgentResponse, agentPaths, type AgentCommand, type AgentRequest } from '../../netconf/agent-protocol.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import type { CniResult } from '../../netconf/result.ts';
import { askAgent } from './agent-transport.ts';
import type { IpamInvocation } from './invocation.ts';

// The plugin's side of the agent protocol. Loaded by dynamic import only when ipam.agentSocket
// is set (or the store is kubernetes), so the local path never pays for node:http.

/**
 * How long the plugin waits for the agent's answer before "try again later": longer than any
 * one API call of the agent (10 s each, retries bounded), shorter than the kubelet's own
 * runtime timeout (2 min), so a busy agent still answers and a hung one is code 11.
 */
export const defaultAgentTimeoutMs = 60_000;

/** Sends one verb to the agent; its result (ADD) or undefined, or the agent's error thrown. */
export async function callAgent(socketPath: string, command: AgentCommand, inv: IpamInvocation, timeoutMs = defaultAgentTimeoutMs): Promise<CniResult | undefined> {
  // Read without the whole schema (the agent checks it): a bad value only means the default wait.
  const wait = inv.conf.ipam?.['agentWaitMs'];
  const waitForAgentMs = Number.isInteger(wait) && (wait as number) >= 0 && (wait as number) <= MAX_AGENT_WAIT_MS ? (wait as number) : DEFAULT_AGENT_WAIT_MS;
  const body: AgentRequest = {
    command,
    conf: inv.conf,
    env: { containerId: inv.env.containerId, netns: inv.env.netns, ifname: inv.env.ifname, args: inv.env.args },
  };
  const { status, json } = await askAgent(socketPath, 'POST', agentPaths.cni, JSON.stringify(body), timeoutMs, waitForAgentMs);
  if (status === 200) return parseOrThrow(AgentResponse, json, { root: 'agent response', code: CniCode.IoFailure }).result;
  const error = AgentError.safeParse(json);
  if (!error.success) throw new CniError(CniCode.IoFailure, `nicpool agent at ${socketPath} answered ${status} without a CNI error`);
  throw new CniError(error.data.code, error.data.msg, error.data.details);
}

/** ADD must come back with a result. */
export async function agentAdd(socketPath: string, inv: IpamInvocation): Promise<CniResult> {
  const result = await callAgent(socketPath, 'ADD', inv);
  if (result === undefined) throw new CniError(CniCode.IoFailure, `nicpool agent at ${socketPath} answered ADD without a result`);
  return result;
}
