import { request } from 'node:http';
import { AgentError, AgentResponse, agentPaths, type AgentCommand, type AgentRequest } from '../../netconf/agent-protocol.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import type { CniResult } from '../../netconf/result.ts';
import type { IpamInvocation } from './invocation.ts';

// The plugin's side of the agent protocol. Loaded by dynamic import only when ipam.agentSocket
// is set, so the local path never pays for node:http.

/** How long the plugin waits for the agent's answer before "try again later". */
// Longer than any one API call of the agent (10 s each, retries bounded), shorter than the
// kubelet's own runtime timeout (2 min): a busy agent still answers, a hung one is code 11.
export const defaultAgentTimeoutMs = 60_000;

// Errors that mean the agent is not there (yet, or any more): the runtime should retry.
const unreachable = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Sends one verb to the agent; its result (ADD) or undefined, or the agent's error thrown. */
export async function callAgent(socketPath: string, command: AgentCommand, inv: IpamInvocation, timeoutMs = defaultAgentTimeoutMs): Promise<CniResult | undefined> {
  const body: AgentRequest = {
    command,
    conf: inv.conf,
    env: { containerId: inv.env.containerId, netns: inv.env.netns, ifname: inv.env.ifname, args: inv.env.args },
  };
  const { status, text } = await post(socketPath, JSON.stringify(body), timeoutMs);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CniError(CniCode.IoFailure, `nicpool agent at ${socketPath} answered ${status} with a body that is not JSON`);
  }
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

function post(socketPath: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        unreachable.has(error.code ?? '')
          ? new CniError(CniCode.TryAgainLater, `nicpool agent at ${socketPath} is unreachable (${error.code}); try again later`)
          : new CniError(CniCode.IoFailure, `nicpool agent at ${socketPath}: ${error.message}`),
      );
    };
    // agent: false — one connection per invocation, closed after the answer, so nothing keeps
    // the plugin alive and the agent's shutdown never waits for an idle connection of ours.
    const req = request(
      { socketPath, path: agentPaths.cni, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}
