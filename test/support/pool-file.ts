// Writes a pool file as nicpool-ipam reads it: IPPool objects, exactly as in Kubernetes.
import { writeFile } from 'node:fs/promises';

export async function writePoolFile(path: string, pools: ReadonlyArray<{ name: string; spec: object }>): Promise<void> {
  const objects = pools.map((pool) => ({ apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name: pool.name }, spec: pool.spec }));
  await writeFile(path, JSON.stringify(objects));
}
