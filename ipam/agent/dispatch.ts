import { AgentRequest, type AgentCommand } from '../../netconf/agent-protocol.ts';
import { parseCniArgs } from '../../netconf/cni-args.ts';
import { PluginConf } from '../../netconf/netconf.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import type { CniResult } from '../../netconf/result.ts';
import type { Allocation } from '../../netconf/store-state.ts';
import type { IpamInvocation } from '../cni/invocation.ts';
import type { AgentVerbs } from './verbs.ts';

/** A request body checked and turned into the invocation the verbs take. */
export interface Decoded {
  command: AgentCommand;
  inv: IpamInvocation;
  /** What the log line names: the verb and the attachment. */
  label: string;
}

export interface Outcome {
  result?: CniResult;
  released?: Allocation[];
}

/**
 * Checks a request body again with the plugin's own schemas: the agent trusts the socket's
 * permissions, not the shape of what arrives on it.
 */
export function decodeRequest(body: unknown): Decoded {
  const request = parseOrThrow(AgentRequest, body, { root: 'request' });
  const { containerId, netns, ifname, args } = request.env;
  return {
    command: request.command,
    inv: {
      conf: parseOrThrow(PluginConf, request.conf),
      env: { command: request.command, containerId, netns, ifname, args, path: [] },
      args: parseCniArgs(args),
    },
    label: `${request.command}${containerId === undefined ? '' : ` ${containerId}/${ifname ?? '-'}`}`,
  };
}

export async function runVerb(verbs: AgentVerbs, { command, inv }: Decoded): Promise<Outcome> {
  switch (command) {
    case 'ADD':
      return { result: await verbs.add(inv) };
    case 'DEL':
      return { released: await verbs.del(inv) };
    case 'GC':
      return { released: await verbs.gc(inv) };
    case 'CHECK':
      await verbs.check(inv);
      return {};
    case 'STATUS':
      await verbs.status(inv);
      return {};
  }
}
