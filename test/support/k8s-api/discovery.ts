// Discovery documents (/api, /api/v1, /apis, /apis/{group}/{version}) built
// from the registry, so client-node's KubernetesObjectApi can map
// apiVersion+kind to a resource path.
import type { ResourceRegistry, ResourceType } from './resources.ts';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string, types: ResourceType[]): object {
  const resources = types.flatMap((r) => {
    const main = { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: VERBS };
    return r.statusSubresource ? [main, { name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : [main];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

// The document for a discovery path, or undefined if it is not one.
export function discovery(registry: ResourceRegistry, pathname: string): object | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  const all = registry.all();
  if (parts.length === 1 && parts[0] === 'api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  }
  if (parts.length === 2 && parts[0] === 'api') {
    const types = all.filter((r) => r.group === '' && r.version === parts[1]);
    return types.length === 0 ? undefined : resourceList(parts[1] ?? '', types);
  }
  if (parts.length === 1 && parts[0] === 'apis') {
    const groups = new Map<string, string[]>();
    for (const r of all.filter((x) => x.group !== '')) groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => {
        const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
        return { name, versions: vs, preferredVersion: vs[0] };
      }),
    };
  }
  if (parts.length === 3 && parts[0] === 'apis') {
    const types = all.filter((r) => r.group === parts[1] && r.version === parts[2]);
    return types.length === 0 ? undefined : resourceList(`${parts[1]}/${parts[2]}`, types);
  }
  return undefined;
}
