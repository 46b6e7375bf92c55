// Client side of plugin-launcher-main.ts: execPlugin's contract, with the exec done by a
// small child process. Stopped in teardown.
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pluginEnv, pluginResult, pluginTimeoutMs, type ExecPluginOptions, type ExecPluginResult } from './exec-plugin.ts';

const launcherMain = fileURLToPath(new URL('./plugin-launcher-main.ts', import.meta.url));

export type LaunchPlugin = (pluginPath: string, opts: ExecPluginOptions) => Promise<ExecPluginResult>;

export function startPluginLauncher(t: ExecutionContext): LaunchPlugin {
  const child = spawn(process.execPath, [launcherMain], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, (result: ExecPluginResult) => void>();
  let nextId = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const { id, exitCode, stdout, stderr } = JSON.parse(line) as { id: number; exitCode: number; stdout: string; stderr: string };
    pending.get(id)?.(pluginResult(exitCode, stdout, stderr));
    pending.delete(id);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => {
    for (const [id, resolve] of pending) resolve(pluginResult(-1, '', `plugin launcher exited before job ${id} finished`));
  });
  t.teardown(async () => {
    child.stdin.end();
    await exited;
  });
  return (pluginPath, opts) => {
    if (opts.runnerNetns !== undefined) throw new Error('plugin launcher: runnerNetns is not supported; use execPlugin');
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ id, file: pluginPath, env: pluginEnv(opts), input: JSON.stringify(opts.stdin), timeoutMs: opts.timeoutMs ?? pluginTimeoutMs })}\n`);
    });
  };
}
