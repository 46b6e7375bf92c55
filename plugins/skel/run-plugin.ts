import { parseCniArgs, type CniArgs } from '../../netconf/cni-args.ts';
import { parseCniEnv, type CniEnv } from '../../netconf/env.ts';
import { asCniError, CniCode } from '../../netconf/errors.ts';
import type { PluginConf } from '../../netconf/netconf.ts';
import { resultForVersion, type CniResult } from '../../netconf/result.ts';
import { versionOutput } from '../../netconf/version.ts';
import { parsePluginConf, versionForError } from './parse-input.ts';
import { readStdin, writeStderr, writeStdout } from './stdio.ts';

/** Everything a verb handler gets: the parsed netconf, environment and CNI_ARGS. */
export interface PluginInput {
  conf: PluginConf;
  env: CniEnv;
  args: CniArgs;
  log: (message: string) => void;
}

export interface PluginHandlers {
  add(input: PluginInput): Promise<CniResult>;
  del(input: PluginInput): Promise<void>;
  check(input: PluginInput): Promise<void>;
  gc(input: PluginInput): Promise<void>;
  status(input: PluginInput): Promise<void>;
}

/**
 * The skeleton every nicpool plugin runs (as pkg/skel does for the reference plugins): parse
 * env and stdin, dispatch the verb, print the result in the requested version on stdout.
 * Failures print the spec's error object on stdout and exit 1; logs only go to stderr.
 */
export async function runPlugin(name: string, handlers: PluginHandlers): Promise<void> {
  const log = (message: string) => writeStderr(`${name}: ${message}\n`);
  let stdin: string | undefined;
  // An error no handler could catch (an event emitter's) still ends as a CNI error, never a
  // stack trace where the runtime expects JSON.
  process.once('uncaughtException', (error) => fail(error));
  try {
    const env = parseCniEnv(process.env);
    if (env.command === 'VERSION') return print(versionOutput());
    stdin = readStdin();
    const conf = parsePluginConf(stdin, env.command);
    const input: PluginInput = { conf, env, args: parseCniArgs(env.args), log };
    switch (env.command) {
      case 'ADD':
        return print(resultForVersion(await handlers.add(input), conf.cniVersion));
      case 'DEL':
        return await handlers.del(input);
      case 'CHECK':
        return await handlers.check(input);
      case 'GC':
        return await handlers.gc(input);
      case 'STATUS':
        return await handlers.status(input);
    }
  } catch (thrown) {
    fail(thrown);
  }

  function fail(thrown: unknown): void {
    const error = asCniError(thrown);
    if (error.code === CniCode.Internal && thrown instanceof Error) log(thrown.stack ?? thrown.message);
    log(`error ${error.code}: ${error.message}`);
    print(error.toJSON(versionForError(stdin)));
    process.exitCode = 1;
  }
}

function print(value: unknown): void {
  writeStdout(`${JSON.stringify(value)}\n`);
}
