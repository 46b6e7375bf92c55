// Object shape and metadata helpers shared by the store and the handlers.
import { randomInt } from 'node:crypto';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

// Every stored object: free-form JSON with a metadata block.
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

// RFC 3339 with whole seconds, as the API server serialises metav1.Time.
export function timestamp(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// Same alphabet and length as apiserver's names.SimpleNameGenerator.
const ALPHANUM = 'bcdfghjklmnpqrstvwxz2456789';
export function generateSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUM[randomInt(ALPHANUM.length)];
  return s;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// Everything but metadata and status: a change here bumps metadata.generation.
export function specPart(o: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}
