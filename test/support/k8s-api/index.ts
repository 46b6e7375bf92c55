// Kubernetes API server test double: entry point for tests.
export { startTestApiServer } from './server.ts';
export type { TestApiServer, TestApiServerOptions } from './server.ts';
export { RESOURCES, NICPOOL_GROUP, resourceKey } from './resources.ts';
export type { ResourceType } from './resources.ts';
export type { KObject, ObjectMeta } from './meta.ts';
export type { FaultFilter, Verb } from './faults.ts';
