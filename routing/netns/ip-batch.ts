import { CniCode, CniError } from '../../netconf/errors.ts';
import { runCommand } from './run-command.ts';

/** One iproute2 command as argv words, e.g. ['route', 'replace', '10.0.0.0/24', 'dev', 'net1']. */
export type IpCommand = readonly string[];

// `ip -batch` splits lines on whitespace and treats quotes and '#' specially, so a word that
// carried any of those could smuggle in another command. Words come from validated IPs, CIDRs
// and interface names; this is the last line of defence.
const safeWord = /^[A-Za-z0-9_.:/@%+-]+$/;

export interface BatchOptions {
  /** Needed by `rule` commands, which cannot infer the family. */
  family?: 4 | 6;
  /** Return each command's parsed `ip -j` output, in order. */
  json?: boolean;
  /**
   * Indexes of commands allowed to fail (deleting what may not exist): the batch runs with
   * -force, and only failures of other commands fail it. This spares a read before writing.
   */
  mayFail?: ReadonlySet<number>;
}

/**
 * Runs commands in one `ip -batch` process inside a network namespace (entered with nsenter;
 * none = the current one).
 */
export async function runIpBatch(netns: string | undefined, commands: readonly IpCommand[], options: BatchOptions = {}): Promise<unknown[]> {
  if (commands.length === 0) return [];
  for (const word of commands.flat()) {
    if (!safeWord.test(word)) throw new CniError(CniCode.InvalidConfig, `refusing iproute2 word ${JSON.stringify(word)}`);
  }
  const tolerant = options.mayFail !== undefined && options.mayFail.size > 0;
  const ipArgs = [...(options.family ? [`-${options.family}`] : []), ...(options.json ? ['-j'] : []), ...(tolerant ? ['-force'] : []), '-batch', '-'];
  const [file, args] = netns === undefined ? ['ip', ipArgs] : ['nsenter', [`--net=${netns}`, '--', 'ip', ...ipArgs]];
  const started = performance.now();
  const result = await runCommand(file, args, `${commands.map((words) => words.join(' ')).join('\n')}\n`);
  // NICPOOL_DEBUG=1: one line per process on stderr, to see where an ADD spends its time.
  if (process.env.NICPOOL_DEBUG) process.stderr.write(`ip ${args.join(' ')} (${commands.length} commands): ${(performance.now() - started).toFixed(1)} ms at ${started.toFixed(1)} ms\n`);
  // iproute2 names each failed command's line ("Command failed -:3"), 1-based.
  const failedLines = [...result.stderr.matchAll(/Command failed -:(\d+)/g)].map((match) => Number(match[1]) - 1);
  const unexpected = tolerant ? failedLines.some((index) => !options.mayFail?.has(index)) || (result.exitCode !== 0 && failedLines.length === 0) : result.exitCode !== 0;
  if (unexpected) {
    const where = netns === undefined ? 'the node' : netns;
    throw new CniError(CniCode.IoFailure, `ip -batch in ${where} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`, commands.map((words) => words.join(' ')).join('; '));
  }
  if (!options.json) return [];
  return result.stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
}
