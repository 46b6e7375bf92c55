// Shared by the agent tests: an agent child process (node ipam/agent/main.ts) on a socket in a
// temp dir, and the built nicpool-ipam exec'd against it. Everything is removed in teardown.
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openLocalStore } from '../../../ipam/store/local/local-store.ts';
import type { StoreState } from '../../../netconf/store-state.ts';
import { waitUntil, withDeadline } from '../../support/deadline.ts';
import { execPlugin, type ExecPluginResult } from '../../support/exec-plugin.ts';
import { ipamPlugin } from '../../support/ipam-lab.ts';

const agentMain = fileURLToPath(new URL('../../../ipam/agent/main.ts', import.meta.url));

export interface AgentProcess {
  /** Resolves once the agent printed its listening line; rejects if it exits first, or at the wait deadline. */
  listening: Promise<void>;
  /** Exit code (or signal name) once it exited and its stdout and stderr are read to the end; rejects at the wait deadline. */
  exited(): Promise<number | string>;
  stderr(): string;
  /** Resolves when its stderr matches; rejects at the wait deadline with the log's tail. */
  logged(match: RegExp): Promise<void>;
  signal(name: NodeJS.Signals): void;
  /** What the agent printed on stdout (its listening and metrics lines). */
  stdout(): string;
}

export function startAgent(t: ExecutionContext, socketPath: string, extraArgs: readonly string[] = []): AgentProcess {
  return startDaemon(t, [agentMain, '--socket', socketPath, ...extraArgs], 'listening on ');
}

/**
 * A node process (agent or controller) whose `listening` resolves once it prints a stdout line
 * starting with `readyLine`; killed with -9 in teardown if it is still running.
 */
export function startDaemon(t: ExecutionContext, argv: readonly string[], readyLine: string): AgentProcess {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const watchers = new Set<() => void>();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  });
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const name = argv[0]!.split('/').slice(-3).join('/');
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line.startsWith(readyLine) && resolve());
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready: ${stderr}`)));
  });
  const listening = withDeadline(ready, { what: `${name} to print "${readyLine}"`, lastSeen: () => stderr });
  listening.catch(() => undefined);
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    listening,
    exited: () => withDeadline(exited, { what: `${name} to exit`, lastSeen: () => stderr }),
    stderr: () => stderr,
    logged: async (match) => {
      const onStderr = (check: () => void) => {
        watchers.add(check);
        return () => watchers.delete(check);
      };
      await waitUntil(`${name} to log ${match}`, () => stderr, (log) => match.test(log), onStderr);
    },
    signal: (name) => child.kill(name),
    stdout: () => stdout,
  };
}

export interface AgentNode {
  dir: string;
  socketPath: string;
  dataDir: string;
  /** A nicpool-ipam netconf whose ipam block points at the agent (or not, with `local`). */
  conf(ipam?: Record<string, unknown>, options?: { local?: boolean; cniVersion?: string }): Record<string, unknown> & { ipam: Record<string, unknown> };
  ipam(command: string, stdin: object, env?: { containerID?: string; ifname?: string; args?: string }): Promise<ExecPluginResult>;
  store(): Promise<StoreState>;
}

export const pool = { metadata: { name: 'a' }, spec: { ipVersion: 4, subnet: '10.90.0.0/24', ips: ['10.90.0.10-10.90.0.200'], gateway: '10.90.0.1', default: true } };

/** A temp dir holding the agent's socket dir (`run/`, created by the agent) and its store. */
export async function agentNode(t: ExecutionContext): Promise<AgentNode> {
  const dir = await mkdtemp(join(tmpdir(), 'np-agent-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'run', 'agent.sock');
  const dataDir = join(dir, 'store');
  return {
    dir,
    socketPath,
    dataDir,
    conf: (ipam = {}, options = {}) => ({
      cniVersion: options.cniVersion ?? '1.0.0',
      name: 'net',
      type: 'macvlan',
      ipam: {
        type: 'nicpool-ipam',
        poolFile: join(dir, 'no-pools.json'),
        dataDir: options.local ? join(dir, 'local-store') : dataDir,
        nodeName: 'node-1',
        pools: [pool],
        ...(options.local ? {} : { agentSocket: socketPath }),
        ...ipam,
      },
    }),
    ipam: (command, stdin, env = {}) =>
      execPlugin(ipamPlugin, { command, containerID: env.containerID ?? 'c1', netns: '/var/run/netns/c1', ifname: env.ifname ?? 'eth0', args: env.args ?? '', stdin }),
    store: () => openLocalStore(dataDir, 1000).read(),
  };
}

/** The agent started on the node's socket, once it listens. */
export async function runningAgent(t: ExecutionContext, node: AgentNode): Promise<AgentProcess> {
  const agent = startAgent(t, node.socketPath);
  await agent.listening;
  return agent;
}
