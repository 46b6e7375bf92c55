// Runs a conflist through test/support/cnirunner (real libcni) the way a
// container runtime would. CNI failures are values; runner crashes throw.
import { execa } from 'execa';
import path from 'node:path';
import { z } from 'zod';
import { ensureCniRunner } from './build-runner.ts';
import { pluginTimeoutMs } from './exec-plugin.ts';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const defaultCniPath: readonly string[] = [path.join(repoRoot, 'dist', 'plugins'), '/usr/lib/cni'];

export type ChainCommand = 'ADD' | 'CHECK' | 'DEL';

export interface CniError {
  code: number;
  msg: string;
  details?: string;
}

export type ChainOutcome = { ok: true; result?: unknown } | { ok: false; error: CniError };

export interface RunChainOptions {
  conflist: object;
  containerID: string;
  /** Path of the container netns, e.g. /var/run/netns/<name>. */
  netns: string;
  ifname: string;
  args?: ReadonlyArray<readonly [string, string]>;
  capabilityArgs?: Record<string, unknown>;
  /** libcni result cache; required so tests never touch the host's /var/lib/cni. */
  cacheDir: string;
  cniPath?: readonly string[];
  /** Run the runner (and so every plugin) inside this named netns, as a node agent would. */
  runnerNetns?: string;
  timeoutMs?: number;
}

const replySchema = z.object({
  result: z.unknown().optional(),
  error: z
    .object({ code: z.number(), msg: z.string(), details: z.string().optional() })
    .optional(),
});

export async function runChain(command: ChainCommand, opts: RunChainOptions): Promise<ChainOutcome> {
  const runner = await ensureCniRunner();
  const request = {
    command,
    conflist: opts.conflist,
    containerID: opts.containerID,
    netns: opts.netns,
    ifname: opts.ifname,
    args: opts.args ?? [],
    capabilityArgs: opts.capabilityArgs ?? {},
    cacheDir: opts.cacheDir,
    cniPath: opts.cniPath ?? defaultCniPath,
  };
  const [file, argv] =
    opts.runnerNetns === undefined
      ? [runner, []]
      : ['ip', ['netns', 'exec', opts.runnerNetns, runner]];
  const proc = await execa(file, argv, {
    input: JSON.stringify(request),
    reject: false,
    timeout: opts.timeoutMs ?? pluginTimeoutMs,
  });

  const crash = (why: string) =>
    new Error(`cnirunner ${command} crashed (${why}, exit ${proc.exitCode ?? proc.signal})\nstdout: ${proc.stdout}\nstderr: ${proc.stderr}`);
  if (proc.exitCode !== 0 && proc.exitCode !== 1) throw crash('unexpected exit');
  let reply: z.infer<typeof replySchema>;
  try {
    reply = replySchema.parse(JSON.parse(proc.stdout));
  } catch (err) {
    throw crash(`unparseable reply: ${String(err)}`);
  }
  if (proc.exitCode === 1) {
    if (reply.error === undefined) throw crash('failed without an error object');
    return { ok: false, error: reply.error };
  }
  return reply.result === undefined ? { ok: true } : { ok: true, result: reply.result };
}
