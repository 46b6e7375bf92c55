import * as z from 'zod/mini';
import { CniCode, CniError } from './errors.ts';
import { ContainerId, InterfaceName, NetnsPath } from './names.ts';
import { parseOrThrow } from './parse.ts';

export const CniCommand = z.enum(['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION']);
export type CniCommand = z.infer<typeof CniCommand>;

const EnvSchema = z.object({
  CNI_COMMAND: CniCommand,
  CNI_CONTAINERID: z.optional(ContainerId),
  CNI_NETNS: z.optional(NetnsPath),
  CNI_IFNAME: z.optional(InterfaceName),
  CNI_ARGS: z.optional(z.string()),
  CNI_PATH: z.optional(z.string()),
});

/** The CNI environment of one invocation, checked for what its command needs. */
export interface CniEnv {
  command: CniCommand;
  containerId: string | undefined;
  netns: string | undefined;
  ifname: string | undefined;
  args: string;
  path: string[];
}

// Which variables each command needs (spec §"Parameters"). DEL may come without a netns.
const required: Record<CniCommand, ReadonlyArray<keyof z.infer<typeof EnvSchema>>> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  GC: [],
  STATUS: [],
  VERSION: [],
};

// VERSION reads nothing but stdin's cniVersion (spec): libcni probes every plugin of a conflist
// with CNI_NETNS=dummy CNI_IFNAME=dummy CNI_PATH=dummy, so the container variables are ignored.
const ignoredByVersion = new Set(['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME']);

export function parseCniEnv(env: NodeJS.ProcessEnv): CniEnv {
  const version = env['CNI_COMMAND'] === 'VERSION';
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '' && !(version && ignoredByVersion.has(key)))
      .map((key) => [key, env[key]]),
  );
  const parsed = parseOrThrow(EnvSchema, present, { code: CniCode.InvalidEnv });
  for (const key of required[parsed.CNI_COMMAND]) {
    if (parsed[key] === undefined) {
      throw new CniError(CniCode.InvalidEnv, `${key} is required for ${parsed.CNI_COMMAND}`);
    }
  }
  return {
    command: parsed.CNI_COMMAND,
    containerId: parsed.CNI_CONTAINERID,
    netns: parsed.CNI_NETNS,
    ifname: parsed.CNI_IFNAME,
    args: parsed.CNI_ARGS ?? '',
    path: (parsed.CNI_PATH ?? '').split(':').filter((dir) => dir !== ''),
  };
}
