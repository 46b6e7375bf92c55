import { DEFAULT_AGENT_WAIT_MS } from '../../netconf/agent-defaults.ts';
import { AgentError, agentPaths, PodRouting } from '../../netconf/agent-protocol.ts';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { routerConfigOf, type RouterInvocation } from './router-invocation.ts';

/** The router asks quickly: the agent answers from its pod cache. */
const timeoutMs = 10_000;

/**
 * The pod's default-route NIC from its annotation, asked of the node agent when the router's
 * netconf names `agentSocket` and the runtime passed the pod (K8S_POD_*); undefined otherwise.
 * The HTTP client is loaded only then.
 */
export async function podDefaultRouteNic(inv: RouterInvocation): Promise<string | undefined> {
  const socket = routerConfigOf(inv).agentSocket;
  const { K8S_POD_NAMESPACE: namespace, K8S_POD_NAME: name } = inv.args;
  if (socket === undefined || namespace === undefined || name === undefined) return undefined;
  const { askAgent } = await import('../../ipam/cni/agent-transport.ts');
  const query = new URLSearchParams({ namespace, name });
  const { status, json } = await askAgent(socket, 'GET', `${agentPaths.podRouting}?${query}`, undefined, timeoutMs, DEFAULT_AGENT_WAIT_MS);
  if (status !== 200) {
    // The agent's own CNI error (e.g. a malformed annotation, code 7) is the router's.
    const error = AgentError.safeParse(json);
    if (error.success) throw new CniError(error.data.code, error.data.msg, error.data.details);
    throw new CniError(CniCode.IoFailure, `nicpool agent at ${socket} answered ${status} without a CNI error`);
  }
  return parseOrThrow(PodRouting, json, { root: 'agent pod routing', code: CniCode.IoFailure }).defaultRouteNic;
}
