// The verbs contract (verbs-contract.ts) on the Kubernetes store: a real agent process on the
// HTTP test API server (a test double), reached through the built nicpool-ipam.
import { simCluster, type SimPod } from '../support/k8s-cluster.ts';
import { contractPools, runVerbsContract } from './verbs-contract.ts';

runVerbsContract('kubernetes', async (t) => {
  const cluster = await simCluster(t);
  for (const pool of contractPools) cluster.seed('ippools.nicpool.io', pool);
  await cluster.startAgent('node-1');
  const pods = new Map<string, SimPod>();
  const podNamed = (name: string) => pods.get(name) ?? pods.set(name, cluster.addPod({ name, node: 'node-1' })).get(name)!;
  return {
    run: (command, pod, call) => cluster.ipam(command, podNamed(pod), call),
    held: async () => cluster.held().map(({ ip, entry }) => ({ ip, containerID: entry.containerID, ifname: entry.ifname })),
  };
});
