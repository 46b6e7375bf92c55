// Subnet auto-pools with real processes: the HTTP test API server (a test double), a real
// nicpool-agent, a real nicpool-controller, and the built nicpool-ipam.
import test from '../support/test.ts';
import { AppsV1Api } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { assertInvariants } from '../support/gc-invariants.ts';
import { simCluster, type SimCluster, type SimPod } from '../support/k8s-cluster.ts';

const subnet = { metadata: { name: 'sub-a' }, spec: { ipVersion: 4, subnet: '10.84.0.0/24', ips: ['10.84.0.10-10.84.0.19'], gateway: '10.84.0.1' } };
const poolName = 'auto-deployment-default-web-eth0-v4';
const annotations = { 'ipam.nicpool.io/subnet': '{"ipv4":["sub-a"]}', 'ipam.nicpool.io/ippool-ip-number': '+1' };

function deployment(replicas: number): V1Deployment {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations }, spec: { containers: [{ name: 'app', image: 'app' }] } } },
  };
}

interface PoolObject {
  spec: { ips: string[] };
}
const poolIps = (cluster: SimCluster) => (cluster.api.objects.get('ippools.nicpool.io', poolName) as unknown as PoolObject | undefined)?.spec.ips;
const poolBecomes = (cluster: SimCluster, ips: string[] | undefined) => cluster.until('ippools.nicpool.io', () => poolIps(cluster), (now) => JSON.stringify(now) === JSON.stringify(ips));

/** ADD as the kubelet does, retrying "try again later" (the agent's watch may lag the new pool). */
async function add(t: import('ava').ExecutionContext, cluster: SimCluster, pod: SimPod): Promise<string> {
  const result = await cluster.addAsKubelet(pod, { containerID: `c-${pod.name}` });
  if (result.exitCode !== 0) throw new Error(`${pod.name}: no address after retries: ${result.stdout}`);
  return (result.json as { ips: { address: string }[] }).ips[0]!.address.split('/')[0]!;
}

test('Z-09 a "+1" auto-pool is carved for a Deployment, serves only its pods, grows on scale-up and shrinks on scale-down', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('subnets.nicpool.io', subnet);
  await cluster.startAgent('node-1');
  await cluster.startController(['--allocation-grace', '0']);
  const apps = cluster.api.kubeConfig().makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment(2) });
  await poolBecomes(cluster, ['10.84.0.10-10.84.0.12']);

  const pods = [0, 1].map((i) => cluster.addPod({ name: `web-abc-${i}`, node: 'node-1', labels: { app: 'web' }, annotations, owner: { kind: 'ReplicaSet', name: 'web-abc' } }));
  t.deepEqual([await add(t, cluster, pods[0]!), await add(t, cluster, pods[1]!)], ['10.84.0.10', '10.84.0.11']);
  // A pod that is not the Deployment's (other labels) does not get into its pool.
  const stranger = cluster.addPod({ name: 'stranger', node: 'node-1', annotations });
  const refused = await cluster.ipam('ADD', stranger, { containerID: 'c-stranger' });
  t.like(refused.json, { code: 11 });
  t.regex((refused.json as { msg: string }).msg, /no auto-pool of Subnet "sub-a" serves eth0 of this pod yet/);

  const scale = async (replicas: number) => {
    const current = await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' });
    await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'web', body: { ...current, spec: { ...current.spec!, replicas } } });
  };
  await scale(4);
  await poolBecomes(cluster, ['10.84.0.10-10.84.0.14']);
  await scale(1);
  // Two addresses are in use: the pool shrinks to 2 (replicas + 1), keeping them.
  await poolBecomes(cluster, ['10.84.0.10-10.84.0.11']);
  const status = await cluster.until('subnets.nicpool.io', () => (cluster.api.objects.get('subnets.nicpool.io', 'sub-a') as unknown as { status?: object }).status, (s) => JSON.stringify(s).includes('"allocatedIPCount":2'));
  t.deepEqual(status, { allocatedIPCount: 2, totalIPCount: 10, controlledIPPools: [poolName] });
  await assertInvariants(t, cluster);
});

test('Z-10 deleting the workload reclaims its auto-pool once its pods are gone; a Subnet too small is a Warning Event on the workload', async (t) => {
  const cluster = await simCluster(t);
  cluster.seed('subnets.nicpool.io', subnet);
  await cluster.startAgent('node-1');
  const controller = await cluster.startController(['--allocation-grace', '0']);
  const apps = cluster.api.kubeConfig().makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment(1) });
  await poolBecomes(cluster, ['10.84.0.10-10.84.0.11']);
  const pod = cluster.addPod({ name: 'web-abc-0', node: 'node-1', labels: { app: 'web' }, annotations, owner: { kind: 'ReplicaSet', name: 'web-abc' } });
  await add(t, cluster, pod);

  await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'web' });
  t.truthy(poolIps(cluster), 'kept while its pod still holds an address');
  await cluster.ipam('DEL', pod, { containerID: `c-${pod.name}` });
  cluster.removePod(pod);
  await poolBecomes(cluster, undefined);
  await controller.logged(/auto-pool auto-deployment-default-web-eth0-v4: deleted, its workload is gone/);
  t.deepEqual(cluster.api.objects.list('ipblocks.nicpool.io'), [], 'its IPBlocks went with it');

  const big = deployment(30);
  big.metadata!.name = 'big';
  await apps.createNamespacedDeployment({ namespace: 'default', body: big });
  const events = () => cluster.api.objects.list('events', 'default') as unknown as { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[];
  const [event] = await cluster.until('events', events, (list) => list.length > 0);
  t.like(event, { reason: 'SubnetAutoPool', type: 'Warning', involvedObject: { kind: 'Deployment', name: 'big' } });
  t.is(event!.message, 'auto-pool auto-deployment-default-big-eth0-v4: Subnet "sub-a" has 10 free addresses, 31 more are needed (pool size 31)');
  await assertInvariants(t, cluster);
});
