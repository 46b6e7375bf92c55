import * as z from 'zod/mini';
import { DEFAULT_AGENT_WAIT_MS, MAX_AGENT_WAIT_MS } from './agent-defaults.ts';
import { IPPool } from './ippool.ts';
import { ObjectName } from './names.ts';

const AbsolutePath = z.string().check(z.startsWith('/', 'must be an absolute path'));

/** The `ipam` block of a netconf whose ipam.type is nicpool-ipam. */
export const IpamConfig = z.strictObject({
  type: z.literal('nicpool-ipam'),
  /**
   * Where pools and allocations live: `local`, the embedded per-node file store (in the plugin,
   * or in the agent with agentSocket); `kubernetes`, the cluster-wide store, served only by the
   * node agent (the plugin holds no API credentials), on agentSocket or the default socket.
   */
  store: z._default(z.enum(['local', 'kubernetes']), 'local'),
  /** Pool file (JSON or YAML); missing file = no pools from file. */
  poolFile: z._default(AbsolutePath, '/etc/nicpool/pools.json'),
  /** Directory of the local store (allocations.json and its lock). */
  dataDir: z._default(AbsolutePath, '/var/lib/nicpool'),
  /** Pools defined inline, merged with the pool file's (a name may not appear in both). */
  pools: z._default(z.array(IPPool), []),
  defaultIPv4Pools: z.optional(z.array(ObjectName)),
  defaultIPv6Pools: z.optional(z.array(ObjectName)),
  /** This node's name for nodeAffinity; defaults to the hostname. */
  nodeName: z.optional(z.string().check(z.minLength(1))),
  /** How long an ADD waits for the store lock before answering "try again later" (code 11). */
  lockTimeoutMs: z._default(z.int().check(z.positive(), z.lte(600_000)), 30_000),
  /** The node agent's socket: when set, every verb is served by the agent instead of in the plugin. */
  agentSocket: z.optional(AbsolutePath),
  /** How long the plugin waits for an agent that is not there (restarting) before code 11. */
  agentWaitMs: z._default(z.int().check(z.gte(0), z.lte(MAX_AGENT_WAIT_MS)), DEFAULT_AGENT_WAIT_MS),
});
export type IpamConfig = z.infer<typeof IpamConfig>;
