// nicpool-controller: GC of zombie IPs, Subnet auto-pools, the pools' counters (design §5, §8.11).
// Usage: node ipam/controller/main.ts [--kubeconfig FILE] [--leader-elect] [--lease-name NAME]
//   [--lease-namespace NS] [--identity ID] [--lease-duration S] [--scan-interval S]
//   [--allocation-grace S] [--terminating-margin S] [--release-on-node-lost] [--metrics-address HOST:PORT]
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { GcConfig } from '../../netconf/gc-config.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import { createBlockClient } from '../store/kubernetes/block-client.ts';
import { createClusterClient } from '../store/kubernetes/cluster-client.ts';
import { loadCertificate } from '../webhook/certificate.ts';
import { startWebhookServer } from '../webhook/webhook-server.ts';
import { admissionContext } from './admission-context.ts';
import { autoPoolReconciler } from './auto-pools.ts';
import { startControllerCache } from './controller-cache.ts';
import { createControllerMetrics } from './controller-metrics.ts';
import { startGcLoop } from './gc-loop.ts';
import { startLeaderElection } from './leader-lease.ts';

const log = (line: string) => process.stderr.write(`nicpool-controller: ${line}\n`);

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'leader-elect': { type: 'boolean', default: false },
    'lease-name': { type: 'string', default: 'nicpool-controller' },
    'lease-namespace': { type: 'string', default: process.env['POD_NAMESPACE'] ?? 'nicpool-system' },
    identity: { type: 'string', default: process.env['POD_NAME'] ?? `${hostname()}-${process.pid}` },
    'lease-duration': { type: 'string', default: '15' },
    'scan-interval': { type: 'string' },
    'allocation-grace': { type: 'string' },
    'terminating-margin': { type: 'string' },
    // Off by default: a NotReady node may only have lost the API server, its pods running on.
    'release-on-node-lost': { type: 'boolean', default: false },
    'metrics-address': { type: 'string' },
    'webhook-address': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  },
});

// A non-number is passed on as text, for the schema to name the flag and the value.
const seconds = (text: string) => (/^\d+$/.test(text) ? Number(text) : text);
let config: GcConfig;
try {
  config = parseOrThrow(
    GcConfig,
    {
      ...(values['scan-interval'] !== undefined && { scanIntervalSeconds: seconds(values['scan-interval']) }),
      ...(values['allocation-grace'] !== undefined && { allocationGraceSeconds: seconds(values['allocation-grace']) }),
      ...(values['terminating-margin'] !== undefined && { terminatingMarginSeconds: seconds(values['terminating-margin']) }),
      releaseOnNodeLost: values['release-on-node-lost'],
    },
    { root: 'flags' },
  );
} catch (error) {
  log((error as Error).message);
  process.exit(2);
}
const leaseDuration = Number(values['lease-duration']);
if (!Number.isInteger(leaseDuration) || leaseDuration < 3) {
  log(`--lease-duration: ${JSON.stringify(values['lease-duration'])} is not a whole number of seconds ≥ 3`);
  process.exit(2);
}
const hostPort = (flag: 'metrics-address' | 'webhook-address') => {
  const text = values[flag];
  const match = text?.match(/^(.+):(\d{1,5})$/);
  if (text !== undefined && !match) {
    log(`--${flag}: ${JSON.stringify(text)} is not HOST:PORT`);
    process.exit(2);
  }
  return match && { host: match[1]!, port: Number(match[2]) };
};
const metricsAddress = hostPort('metrics-address');
const webhookAddress = hostPort('webhook-address');
if (webhookAddress && (values['tls-cert'] === undefined || values['tls-key'] === undefined)) {
  log('--webhook-address needs --tls-cert and --tls-key (the API server must trust the certificate: see deploy/webhook.yaml)');
  process.exit(2);
}

try {
  const kc = new KubeConfig();
  if (values.kubeconfig !== undefined) kc.loadFromFile(values.kubeconfig);
  else kc.loadFromDefault();
  const metrics = createControllerMetrics();
  const election = values['leader-elect']
    ? startLeaderElection(kc, {
        namespace: values['lease-namespace'],
        name: values['lease-name'],
        identity: values.identity,
        leaseDurationSeconds: leaseDuration,
        retryPeriodSeconds: Math.max(1, Math.floor(leaseDuration / 5)),
        log,
        // client-go's answer: a controller that may no longer be the only one stops at once.
        onLost: () => process.exit(1),
      })
    : undefined;
  const isLeader = () => {
    const leading = election?.isLeader() ?? true;
    metrics.setLeader(leading);
    return leading;
  };
  let loop: ReturnType<typeof startGcLoop> | undefined;
  const cache = startControllerCache(kc, () => loop?.trigger(), log);
  await cache.synced;
  const autoPools = autoPoolReconciler(kc, cache, log);
  loop = startGcLoop({ kc, cache, blocks: createBlockClient(kc), cluster: createClusterClient(kc), config, metrics, isLeader, autoPools, log });
  if (election) void election.elected.then(() => loop?.trigger());
  const exporter = metricsAddress && (await startMetricsServer({ ...metricsAddress, render: () => metrics.render(), log }));
  // Every replica serves the webhook (the Service picks any), leader or not: it only reads.
  // The certificate comes from a Secret that may not exist yet (deploy/webhook.yaml): then the
  // controller runs without the webhook and says so, rather than not at all.
  const tlsReady = Boolean(webhookAddress) && existsSync(values['tls-cert']!) && existsSync(values['tls-key']!);
  if (webhookAddress && !tlsReady) log(`webhook off: ${values['tls-cert']} or ${values['tls-key']} does not exist (see deploy/webhook.yaml)`);
  const webhook =
    webhookAddress && tlsReady
      ? await startWebhookServer({ ...webhookAddress, ...(await loadCertificate(values['tls-cert']!, values['tls-key']!)), context: () => admissionContext(cache), log })
      : undefined;
  const lostNodes = config.releaseOnNodeLost ? 'gone, out-of-service or NotReady' : 'gone or out-of-service';
  log(`GC: scan every ${config.scanIntervalSeconds} s, allocation grace ${config.allocationGraceSeconds} s, Terminating pods freed ${config.terminatingMarginSeconds} s after their deletion time on a node ${lostNodes}`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: finishing the pass in flight`);
      void loop
        ?.stop()
        .then(() => Promise.all([election?.stop(), cache.stop(), exporter?.stop(), webhook?.stop()]))
        .then(() => log('stopped'));
    });
  }
  if (exporter) process.stdout.write(`metrics on ${metricsAddress.host}:${exporter.port}\n`);
  if (webhook) process.stdout.write(`webhook on ${webhookAddress?.host}:${webhook.port}\n`);
  process.stdout.write('controller started\n');
} catch (error) {
  log(`cannot start: ${(error as Error).message}`);
  // Watches already started would keep a half-started process alive: exit, for a supervisor to restart.
  process.exit(1);
}
