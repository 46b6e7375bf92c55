// Status objects shaped like the real API server's (metav1.Status), and the
// error type the handlers throw to send one.
import type { ResourceType } from './resources.ts';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: StatusDetails;
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) s.details = details;
  return s;
}

export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message);
    this.status = status;
  }
}

// The real server names the resource (plural), not the kind, in details.kind.
function details(r: ResourceType, name: string): StatusDetails {
  return r.group === '' ? { name, kind: r.plural } : { name, group: r.group, kind: r.plural };
}

function qualified(r: ResourceType): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

export const errors = {
  notFound: (r: ResourceType, name: string) =>
    new ApiError(failure(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name))),
  alreadyExists: (r: ResourceType, name: string) =>
    new ApiError(failure(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name))),
  conflict: (r: ResourceType, name: string) =>
    new ApiError(
      failure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        details(r, name),
      ),
    ),
  badRequest: (message: string) => new ApiError(failure(400, 'BadRequest', message)),
  invalid: (r: ResourceType, name: string, message: string) =>
    new ApiError(failure(422, 'Invalid', `${r.kind} "${name}" is invalid: ${message}`, details(r, name))),
  notFoundPath: (path: string) => new ApiError(failure(404, 'NotFound', `the server could not find the requested resource (${path})`)),
  methodNotAllowed: (method: string) => new ApiError(failure(405, 'MethodNotAllowed', `the server does not allow this method (${method}) on the requested resource`)),
  unsupportedMediaType: (type: string) => new ApiError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json (got ${type})`)),
  internal: (message: string) => new ApiError(failure(500, 'InternalError', `Internal error occurred: ${message}`)),
  expired: (message: string) => failure(410, 'Expired', message),
};
