// nicpool-agent: serves nicpool-ipam's verbs over a root-only unix socket (design §1, §8.9).
// Usage: node ipam/agent/main.ts [--socket PATH] [--store local|kubernetes] [--kubeconfig PATH]
//                                [--node-name NAME] [--metrics-address HOST:PORT] [--drain-ms MS]
import { hostname } from 'node:os';
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_AGENT_SOCKET } from '../../netconf/agent-defaults.ts';
import { startKubernetesStore } from './kubernetes/kubernetes-store.ts';
import { createAgentMetrics } from './metrics.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import { defaultDrainMs, startAgentServer } from './server.ts';
import { localVerbs } from './verbs.ts';

const log = (line: string) => process.stderr.write(`nicpool-agent: ${line}\n`);
const fail = (line: string): never => {
  log(line);
  process.exit(2);
};

const { values } = parseArgs({
  options: {
    socket: { type: 'string', default: DEFAULT_AGENT_SOCKET },
    store: { type: 'string', default: 'local' },
    kubeconfig: { type: 'string' },
    'node-name': { type: 'string', default: process.env['NODE_NAME'] ?? hostname() },
    'metrics-address': { type: 'string' },
    'drain-ms': { type: 'string', default: String(defaultDrainMs) },
  },
});
const socketPath = values.socket;
if (!isAbsolute(socketPath)) fail(`--socket: ${JSON.stringify(socketPath)} must be an absolute path`);
if (values.store !== 'local' && values.store !== 'kubernetes') fail(`--store: ${JSON.stringify(values.store)} is neither "local" nor "kubernetes"`);
const metricsAddress = values['metrics-address']?.match(/^(.+):(\d{1,5})$/);
if (values['metrics-address'] !== undefined && !metricsAddress) fail(`--metrics-address: ${JSON.stringify(values['metrics-address'])} is not HOST:PORT`);
const drainMs = Number(values['drain-ms']);
if (!/^\d{1,7}$/.test(values['drain-ms'])) fail(`--drain-ms: ${JSON.stringify(values['drain-ms'])} is not a whole number of milliseconds (0-9999999)`);

// Everything the agent creates is root-only from the start, the socket included: no window
// between bind() and chmod() in which another user could connect.
process.umask(0o077);

try {
  const metrics = createAgentMetrics();
  const store =
    values.store === 'kubernetes'
      ? await startKubernetesStore({ kubeconfig: values.kubeconfig, nodeName: values['node-name'], metrics, log })
      : { verbs: localVerbs(), publishUsage: () => undefined, stop: async () => undefined };
  const exporter = metricsAddress && (await startMetricsServer({ host: metricsAddress[1]!, port: Number(metricsAddress[2]), render: () => (store.publishUsage(), metrics.render()), log }));
  const agent = await startAgentServer({ socketPath, verbs: store.verbs, log, metrics, drainMs });
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: no new requests; finishing those in flight (for ${drainMs} ms at most)`);
      // Requests in flight end with their writes done; only then do the watches close.
      void agent
        .stop()
        .then(() => Promise.all([store.stop(), exporter?.stop()]))
        .then(() => log('stopped'));
    });
  }
  // Supervisors and tests wait for these lines; logs go to stderr.
  if (exporter) process.stdout.write(`metrics on ${metricsAddress[1]}:${exporter.port}\n`);
  process.stdout.write(`listening on ${socketPath}\n`);
} catch (error) {
  log(`cannot start: ${(error as Error).message}`);
  // Watches already started would keep a half-started process alive: exit, for a supervisor to restart.
  process.exit(1);
}
