// URL path → (resource, namespace, name, subresource), for the REST layout
// /api/v1/... (core) and /apis/{group}/{version}/..., with the legacy
// /watch/ prefix after the version.
import type { ResourceRegistry, ResourceType } from './resources.ts';
import { errors } from './status.ts';

export interface Route {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: 'status';
  watchPrefix: boolean;
}

export function parseRoute(registry: ResourceRegistry, pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1] ?? '';
    rest = parts.slice(2);
  } else throw errors.notFoundPath(pathname);
  const version = rest[0] ?? '';
  rest = rest.slice(1);
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);

  let namespace: string | undefined;
  // namespaces/{ns}/{plural}/... is a namespaced path; namespaces/{name}[/status]
  // is the Namespace object itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, sub, ...extra] = rest;
  const resource = registry.find(group, version, plural);
  if (resource === undefined || extra.length > 0 || (sub !== undefined && sub !== 'status')) throw errors.notFoundPath(pathname);
  if (namespace !== undefined && !resource.namespaced) throw errors.notFoundPath(pathname);
  const route: Route = { resource, watchPrefix };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (sub === 'status') route.subresource = 'status';
  return route;
}
