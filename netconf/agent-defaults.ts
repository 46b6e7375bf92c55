// The agent's defaults, in a module of their own: the plugins read them on their start-up path,
// which should not load the agent protocol's schemas or the ipam schema for two constants.

/** Where the agent listens unless told otherwise (deploy/agent-daemonset.yaml mounts it). */
export const DEFAULT_AGENT_SOCKET = '/run/nicpool/agent.sock';

/** How long a plugin waits for an agent that is not there (restarting: it reconciles before it opens its socket). */
export const DEFAULT_AGENT_WAIT_MS = 10_000;

/** The longest wait `ipam.agentWaitMs` may ask for. */
export const MAX_AGENT_WAIT_MS = 120_000;
