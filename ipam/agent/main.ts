// nicpool-agent: serves nicpool-ipam's verbs over a root-only unix socket (design §1).
// Usage: node ipam/agent/main.ts [--socket /run/nicpool/agent.sock]
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { startAgentServer } from './server.ts';
import { localVerbs } from './verbs.ts';

const log = (line: string) => process.stderr.write(`nicpool-agent: ${line}\n`);
const { values } = parseArgs({ options: { socket: { type: 'string', default: '/run/nicpool/agent.sock' } } });
const socketPath = values.socket;

if (!isAbsolute(socketPath)) {
  log(`--socket: ${JSON.stringify(socketPath)} must be an absolute path`);
  process.exit(2);
}
// Everything the agent creates is root-only from the start, the socket included: no window
// between bind() and chmod() in which another user could connect.
process.umask(0o077);

try {
  const agent = await startAgentServer({ socketPath, verbs: localVerbs(), log });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log(`${signal}: no new requests; finishing those in flight`);
      void agent.stop().then(() => log('stopped'));
    });
  }
  // Supervisors and tests wait for this line; logs go to stderr.
  process.stdout.write(`listening on ${socketPath}\n`);
} catch (error) {
  log(`cannot start: ${(error as Error).message}`);
  process.exitCode = 1;
}
