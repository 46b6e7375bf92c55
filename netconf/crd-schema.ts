import * as z from 'zod/mini';
import { toJSONSchema, type $ZodType } from 'zod/v4/core';
import { EndpointSpec } from './endpoint.ts';
import { IPBlockSpec, IPBlockStatus } from './ipblock.ts';
import { IPPoolSpec } from './ippool.ts';
import { ReservedIPSpec, ReservedIPStatus } from './reserved-ip.ts';
import { SubnetSpec, SubnetStatus } from './subnet.ts';

/**
 * The CustomResourceDefinitions of nicpool.io/v1, with their OpenAPI v3 schemas generated from
 * the zod schemas of netconf/, so the API server and our parsers agree on every field.
 * `scripts/generate-crds.ts` writes them to deploy/crds/; test/deploy/crds.test.ts checks the
 * committed files equal what this module builds.
 *
 * The API server takes a *structural* subset of OpenAPI v3 (Kubernetes docs, "Specifying a
 * structural schema"): every node has a type (or x-kubernetes-preserve-unknown-fields), no
 * $ref/definitions/const, anyOf & co. may not carry types, `additionalProperties` never beside
 * `properties`, `metadata` only as a bare object. `toStructural` converts zod's JSON Schema
 * into that subset and refuses anything it cannot convert faithfully. What JSON Schema cannot
 * say (zod refinements: families, ranges inside the subnet…) stays with our parsers.
 */

export const GROUP = 'nicpool.io';
export const VERSION = 'v1';

/** A schema node of apiextensions.k8s.io/v1 JSONSchemaProps, the part we emit. */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  additionalProperties?: StructuralSchema;
  items?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

type Json = Record<string, unknown>;

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const COPIED = ['description', 'format', 'default', 'nullable', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'enum'] as const;
const HANDLED = new Set<string>([...COPIED, 'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf']);

/** zod schema → structural schema. Throws, naming the path, on what the API server would refuse. */
export function zodToStructural(schema: $ZodType): StructuralSchema {
  return toStructural(toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' }) as Json, '(root)');
}

export function toStructural(node: Json, path: string): StructuralSchema {
  for (const key of Object.keys(node)) {
    if (!HANDLED.has(key) && key !== '$schema') throw new Error(`${path}: JSON Schema keyword "${key}" has no structural equivalent`);
  }
  if (node.anyOf !== undefined) return enumUnion(node, path);
  const out: StructuralSchema = {};
  const type = node.type;
  if (type !== undefined) {
    if (typeof type !== 'string' || !TYPES.has(type)) throw new Error(`${path}: type ${JSON.stringify(type)} is not a structural type`);
    out.type = type as StructuralSchema['type'];
  }
  for (const key of COPIED) {
    if (node[key] !== undefined) (out as Json)[key] = node[key];
  }
  // zod's bounds for a plain int are the safe-integer limits: noise in a CRD.
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  // A date-time is checked by its format; zod's regex for it says the same at great length.
  if (out.format === 'date-time') delete out.pattern;

  if (node.items !== undefined) {
    if (Array.isArray(node.items)) throw new Error(`${path}: tuple items are not structural`);
    out.items = toStructural(node.items as Json, `${path}[]`);
  }
  const properties = node.properties as Record<string, Json> | undefined;
  if (properties !== undefined && Object.keys(properties).length > 0) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, toStructural(value, `${path}.${key}`)]));
    if (Array.isArray(node.required) && node.required.length > 0) out.required = [...(node.required as string[])];
  }
  const extra = node.additionalProperties;
  if (extra !== undefined && extra !== false) {
    // true or {} (a loose object): keep what we do not know instead of pruning it.
    const anything = extra === true || (typeof extra === 'object' && extra !== null && Object.keys(extra).length === 0);
    if (anything) out['x-kubernetes-preserve-unknown-fields'] = true;
    else if (out.properties !== undefined) throw new Error(`${path}: typed additionalProperties beside properties is not structural`);
    else out.additionalProperties = toStructural(extra as Json, `${path}.*`);
  }
  // additionalProperties: false (a strict object) is dropped: the API server prunes unknown
  // fields and `kubectl apply` refuses them (server-side field validation), which is the same.
  if (out.type === undefined) {
    if (Object.keys(node).filter((key) => key !== '$schema').length > 0) throw new Error(`${path}: a schema node without a type`);
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}

/** A union of literals ({ anyOf: [{ type, enum: [a] }, …] }) is one typed enum. */
function enumUnion(node: Json, path: string): StructuralSchema {
  const branches = node.anyOf as Json[];
  const values: unknown[] = [];
  const types = new Set<unknown>();
  for (const branch of branches) {
    const keys = Object.keys(branch).sort().join(',');
    if (keys !== 'enum,type' || !Array.isArray(branch.enum)) throw new Error(`${path}: only unions of literals are converted (anyOf is not structural)`);
    types.add(branch.type);
    values.push(...branch.enum);
  }
  if (types.size !== 1) throw new Error(`${path}: a union of literals of different types`);
  let type = [...types][0] as StructuralSchema['type'];
  if (type === 'number' && values.every((value) => Number.isInteger(value))) type = 'integer';
  return { type, enum: values };
}

// --- the CRDs ---------------------------------------------------------------------------------

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface ResourceDef {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Cluster' | 'Namespaced';
  description: string;
  spec: $ZodType;
  status?: $ZodType;
  columns: PrinterColumn[];
}

const Count = z.int().check(z.gte(0));

/**
 * IPPool's status as the controller writes it (design §4). netconf/ippool.ts keeps `status`
 * loose (a pool file never has one); this is its typed form for the CRD.
 */
/** A status condition, as metav1.Condition has it (the controller sets `Conflict` on a pool set aside). */
export const Condition = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});
export type Condition = z.infer<typeof Condition>;

export const IPPoolStatus = z.strictObject({ allocatedIPCount: z.optional(Count), totalIPCount: z.optional(Count), conditions: z.optional(z.array(Condition)) });
export type IPPoolStatus = z.infer<typeof IPPoolStatus>;

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const version: PrinterColumn = { name: 'Version', type: 'integer', jsonPath: '.spec.ipVersion' };
const subnet: PrinterColumn = { name: 'Subnet', type: 'string', jsonPath: '.spec.subnet' };
const allocated: PrinterColumn = { name: 'Allocated', type: 'integer', jsonPath: '.status.allocatedIPCount' };
const total: PrinterColumn = { name: 'Total', type: 'integer', jsonPath: '.status.totalIPCount' };

export const RESOURCES: ResourceDef[] = [
  {
    kind: 'IPPool', plural: 'ippools', singular: 'ippool', shortNames: ['nipp'], scope: 'Cluster',
    description: 'A pool of addresses of one subnet and family, and which pods may use it.',
    spec: IPPoolSpec, status: IPPoolStatus,
    columns: [version, subnet, allocated, total,
      { name: 'Default', type: 'boolean', jsonPath: '.spec.default' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disable' }, age],
  },
  {
    kind: 'Subnet', plural: 'subnets', singular: 'subnet', shortNames: ['nsn'], scope: 'Cluster',
    description: 'A supernet from which the controller carves per-application IPPools.',
    spec: SubnetSpec, status: SubnetStatus,
    columns: [version, subnet, allocated, total, age],
  },
  {
    kind: 'ReservedIP', plural: 'reservedips', singular: 'reservedip', shortNames: ['nrip'], scope: 'Cluster',
    description: 'Addresses that no pool may hand out.',
    spec: ReservedIPSpec, status: ReservedIPStatus,
    columns: [version, { name: 'IPs', type: 'string', jsonPath: '.spec.ips' }, age],
  },
  {
    kind: 'Endpoint', plural: 'endpoints', singular: 'endpoint', shortNames: ['nep'], scope: 'Namespaced',
    description: "One pod's addresses per NIC, its UID, node and owner; named after the pod.",
    spec: EndpointSpec,
    columns: [
      { name: 'Interface', type: 'string', jsonPath: '.spec.nics[0].interface' },
      { name: 'IPv4', type: 'string', jsonPath: '.spec.nics[0].ipv4' },
      { name: 'IPv6', type: 'string', jsonPath: '.spec.nics[0].ipv6' },
      { name: 'Node', type: 'string', jsonPath: '.spec.node' },
      { name: 'Owner', type: 'string', jsonPath: '.spec.ownerKind', priority: 1 },
      { name: 'Owner Name', type: 'string', jsonPath: '.spec.ownerName', priority: 1 }, age],
  },
  {
    kind: 'IPBlock', plural: 'ipblocks', singular: 'ipblock', shortNames: ['nipb'], scope: 'Cluster',
    description: 'Up to 256 consecutive addresses of a pool and who holds each: the unit of allocation of the Kubernetes store.',
    spec: IPBlockSpec, status: IPBlockStatus,
    columns: [
      { name: 'Pool', type: 'string', jsonPath: '.spec.pool' },
      { name: 'Start', type: 'string', jsonPath: '.spec.start' },
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' }, age],
  },
];

/** The CustomResourceDefinition of one resource, as a plain object ready for YAML. */
export function customResourceDefinition(def: ResourceDef): Json {
  const properties: Record<string, StructuralSchema> = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: zodToStructural(def.spec),
  };
  if (def.status) properties.status = zodToStructural(def.status);
  const openAPIV3Schema: StructuralSchema = { type: 'object', description: def.description, required: ['spec'], properties };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'nicpool' } },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ['nicpool'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(def.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: def.columns,
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}
