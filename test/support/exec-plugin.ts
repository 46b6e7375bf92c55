// Runs one plugin binary directly with CNI_* env, for what libcni 1.1.2 cannot
// drive: GC, STATUS, VERSION, cniVersion 1.1.0, malformed input, etc.
import { execa } from 'execa';

export interface ExecPluginOptions {
  command: string;
  containerID?: string;
  netns?: string;
  ifname?: string;
  /** Raw CNI_ARGS, e.g. "K8S_POD_NAME=a;K8S_POD_NAMESPACE=b". */
  args?: string;
  /** CNI_PATH; an array is joined with ':'. */
  path?: string | readonly string[];
  stdin: object;
  /** Run the plugin inside this named netns (via `ip netns exec`). */
  runnerNetns?: string;
  timeoutMs?: number;
}

/** How long a plugin may run before it is killed: one exec takes milliseconds, seconds on a saturated machine; this is for hangs. */
export const pluginTimeoutMs = 120_000;

export interface ExecPluginResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  json?: unknown;
}

// Inherit the parent env like libcni does, but drop any stray CNI_* so only
// the variables the caller set reach the plugin.
export function pluginEnv(opts: ExecPluginOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('CNI_')) env[k] = v;
  }
  env.CNI_COMMAND = opts.command;
  if (opts.containerID !== undefined) env.CNI_CONTAINERID = opts.containerID;
  if (opts.netns !== undefined) env.CNI_NETNS = opts.netns;
  if (opts.ifname !== undefined) env.CNI_IFNAME = opts.ifname;
  if (opts.args !== undefined) env.CNI_ARGS = opts.args;
  if (opts.path !== undefined) env.CNI_PATH = typeof opts.path === 'string' ? opts.path : opts.path.join(':');
  return env;
}

export async function execPlugin(pluginPath: string, opts: ExecPluginOptions): Promise<ExecPluginResult> {
  const [file, argv] =
    opts.runnerNetns === undefined ? [pluginPath, []] : ['ip', ['netns', 'exec', opts.runnerNetns, pluginPath]];
  const proc = await execa(file, argv, {
    input: JSON.stringify(opts.stdin),
    env: pluginEnv(opts),
    extendEnv: false,
    reject: false,
    timeout: opts.timeoutMs ?? pluginTimeoutMs,
  });
  if (proc.exitCode === undefined) {
    throw new Error(`plugin ${pluginPath} did not exit normally (${proc.signal ?? proc.message})\nstderr: ${proc.stderr}`);
  }
  return pluginResult(proc.exitCode, proc.stdout, proc.stderr);
}

export function pluginResult(exitCode: number, stdout: string, stderr: string): ExecPluginResult {
  const out: ExecPluginResult = { exitCode, stdout, stderr };
  try {
    if (stdout.trim() !== '') out.json = JSON.parse(stdout);
  } catch {
    // Not JSON: callers inspect stdout themselves.
  }
  return out;
}
