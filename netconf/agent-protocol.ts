import * as z from 'zod/mini';
import { ContainerId, InterfaceName, NetnsPath } from './names.ts';
import { CniResult } from './result.ts';

/**
 * The node agent's protocol: JSON over HTTP/1.1 on a root-only unix socket. The plugin forwards
 * its invocation as it received it; the agent answers 200 with the result (1.1.0 shape, the
 * plugin converts to the requested version) or a non-200 carrying the CNI error object.
 */
export const agentPaths = { cni: '/v1/cni', podRouting: '/v1/pod-routing', health: '/healthz' } as const;

/** The largest request body the agent reads; a netconf is a few kilobytes. */
export const maxAgentRequestBytes = 1024 * 1024;

export const AgentCommand = z.enum(['ADD', 'DEL', 'CHECK', 'GC', 'STATUS']);
export type AgentCommand = z.infer<typeof AgentCommand>;

/** Body of `POST /v1/cni`. `conf` is checked by the agent with the plugin's own schemas. */
export const AgentRequest = z.strictObject({
  command: AgentCommand,
  conf: z.record(z.string(), z.unknown()),
  env: z.strictObject({
    containerId: z.optional(ContainerId),
    netns: z.optional(NetnsPath),
    ifname: z.optional(InterfaceName),
    /** CNI_ARGS as the runtime set it; the agent parses it as the plugin would. */
    args: z.string(),
  }),
});
export type AgentRequest = z.infer<typeof AgentRequest>;

/** 200 body of `POST /v1/cni`: ADD carries a result, the other verbs nothing. */
export const AgentResponse = z.object({ result: z.optional(CniResult) });
export type AgentResponse = z.infer<typeof AgentResponse>;

/** Non-200 body: the CNI error object (without cniVersion, which is the plugin's to set). */
export const AgentError = z.object({ code: z.int(), msg: z.string(), details: z.optional(z.string()) });
export type AgentError = z.infer<typeof AgentError>;

/**
 * 200 body of `GET /v1/pod-routing?namespace=…&name=…`: what the pod's annotations say about
 * its routing (ipam.nicpool.io/default-route-nic), for nicpool-router, which holds no API
 * credentials. Empty when the pod says nothing (or the agent runs the local store).
 */
export const PodRouting = z.object({ defaultRouteNic: z.optional(InterfaceName) });
export type PodRouting = z.infer<typeof PodRouting>;

/** 200 body of `GET /healthz`. */
export const AgentHealth = z.object({ ok: z.literal(true) });
