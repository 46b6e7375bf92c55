import * as z from 'zod';
import { IPPool } from './ippool.ts';
import { ObjectName } from './names.ts';

/** The `ipam` block of a netconf whose ipam.type is nicpool-ipam. */
export const IpamConfig = z.strictObject({
  type: z.literal('nicpool-ipam'),
  /** Where pools and allocations live; only the embedded local store exists so far. */
  store: z.literal('local').default('local'),
  /** Pool file (JSON or YAML); missing file = no pools from file. */
  poolFile: z.string().startsWith('/', 'must be an absolute path').default('/etc/nicpool/pools.json'),
  /** Directory of the local store (allocations.json and its lock). */
  dataDir: z.string().startsWith('/', 'must be an absolute path').default('/var/lib/nicpool'),
  /** Pools defined inline, merged with the pool file's (a name may not appear in both). */
  pools: z.array(IPPool).default([]),
  defaultIPv4Pools: z.array(ObjectName).optional(),
  defaultIPv6Pools: z.array(ObjectName).optional(),
  /** This node's name for nodeAffinity; defaults to the hostname. */
  nodeName: z.string().min(1).optional(),
  /** How long an ADD waits for the store lock before answering "try again later" (code 11). */
  lockTimeoutMs: z.number().int().positive().max(600_000).default(30_000),
});
export type IpamConfig = z.infer<typeof IpamConfig>;
