import test from '../support/test.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod/mini';
import { customResourceDefinition, GROUP, RESOURCES, zodToStructural } from '../../netconf/crd-schema.ts';
import { IPBlock } from '../../netconf/ipblock.ts';
import { IPPool } from '../../netconf/ippool.ts';
import { Endpoint } from '../../netconf/endpoint.ts';
import { ReservedIP } from '../../netconf/reserved-ip.ts';
import { Subnet } from '../../netconf/subnet.ts';
import { crdDir, crdFileName, renderCrds } from '../../scripts/generate-crds.ts';
import { structuralProblems, validate } from './structural.ts';

type Json = Record<string, unknown>;

function committed(name: string): string {
  return readFileSync(join(crdDir, name), 'utf8');
}

function openAPIV3Schema(crd: Json): Json {
  const spec = crd.spec as { versions: { schema: { openAPIV3Schema: Json } }[] };
  return spec.versions[0]!.schema.openAPIV3Schema;
}

function crdOf(kind: string): Json {
  const def = RESOURCES.find((resource) => resource.kind === kind);
  if (!def) throw new Error(`no resource ${kind}`);
  return parse(committed(crdFileName(def))) as Json;
}

test('M-01 the committed CRDs are exactly what scripts/generate-crds.ts makes from the zod schemas', (t) => {
  const rendered = renderCrds();
  t.deepEqual([...rendered.keys()].sort(), readdirSync(crdDir).sort(), 'one file per resource, nothing else in deploy/crds');
  for (const [name, content] of rendered) {
    t.is(committed(name), content, `${name} is stale: run npm run generate-crds`);
  }
});

test('M-02 the five CRDs: nicpool.io/v1, names, scope, shortNames, category', (t) => {
  const summary = RESOURCES.map((def) => {
    const crd = parse(committed(crdFileName(def))) as { metadata: { name: string }; spec: Json };
    const names = crd.spec.names as Json;
    return [crd.metadata.name, crd.spec.group, crd.spec.scope, names.kind, names.shortNames, names.categories];
  });
  t.deepEqual(summary, [
    ['ippools.nicpool.io', GROUP, 'Cluster', 'IPPool', ['nipp'], ['nicpool']],
    ['subnets.nicpool.io', GROUP, 'Cluster', 'Subnet', ['nsn'], ['nicpool']],
    ['reservedips.nicpool.io', GROUP, 'Cluster', 'ReservedIP', ['nrip'], ['nicpool']],
    ['endpoints.nicpool.io', GROUP, 'Namespaced', 'Endpoint', ['nep'], ['nicpool']],
    ['ipblocks.nicpool.io', GROUP, 'Cluster', 'IPBlock', ['nipb'], ['nicpool']],
  ]);
});

test('M-03 every CRD schema is structural (types everywhere, no anyOf/const/$ref, metadata bare, no additionalProperties beside properties)', (t) => {
  for (const def of RESOURCES) {
    const crd = parse(committed(crdFileName(def))) as Json;
    t.deepEqual(structuralProblems(openAPIV3Schema(crd)), [], def.plural);
    const version = (crd.spec as { versions: Json[] }).versions[0]!;
    t.like(version, { name: 'v1', served: true, storage: true });
    // A status subresource exactly where there is a status to write.
    const properties = openAPIV3Schema(crd).properties as Json;
    t.is(version.subresources !== undefined, properties.status !== undefined, `${def.plural} status subresource`);
    for (const column of version.additionalPrinterColumns as { jsonPath: string; type: string }[]) {
      t.regex(column.jsonPath, /^\.(metadata|spec|status)\./, `${def.plural} column ${column.jsonPath}`);
      t.true(['string', 'integer', 'number', 'boolean', 'date'].includes(column.type));
    }
  }
});

test('M-04 kubectl get ippools shows version, subnet, allocated/total, default, disabled', (t) => {
  const version = (crdOf('IPPool').spec as { versions: { additionalPrinterColumns: { name: string; jsonPath: string }[] }[] }).versions[0]!;
  t.deepEqual(version.additionalPrinterColumns.map((column) => [column.name, column.jsonPath]), [
    ['Version', '.spec.ipVersion'], ['Subnet', '.spec.subnet'], ['Allocated', '.status.allocatedIPCount'],
    ['Total', '.status.totalIPCount'], ['Default', '.spec.default'], ['Disabled', '.spec.disable'], ['Age', '.metadata.creationTimestamp'],
  ]);
});

test('M-05 the generated CRDs agree with the zod schemas: objects zod takes, the API server schema takes too', (t) => {
  const at = '2026-01-02T03:04:05Z';
  const samples: [string, z.ZodMiniType, Json][] = [
    ['IPPool', IPPool, {
      apiVersion: 'nicpool.io/v1', kind: 'IPPool', metadata: { name: 'a-v4' },
      spec: { ipVersion: 4, subnet: '10.6.0.0/24', ips: ['10.6.0.10-10.6.0.20'], gateway: '10.6.0.1', routes: [{ dst: '10.7.0.0/16', gw: '10.6.0.254' }],
        vlan: 100, default: true, disable: false, nodeAffinity: { matchLabels: { zone: 'a' } }, multusName: ['macvlan-a'], dns: { nameservers: ['10.6.0.2'] } },
      status: { allocatedIPCount: 1, totalIPCount: 11 },
    }],
    ['Subnet', Subnet, {
      metadata: { name: 'sn-a' }, spec: { ipVersion: 6, subnet: 'fd00:6::/64', ips: ['fd00:6::10-fd00:6::ff'], gateway: 'fd00:6::1' },
      status: { allocatedIPCount: 0, totalIPCount: 240, controlledIPPools: ['auto-web'] },
    }],
    ['ReservedIP', ReservedIP, { metadata: { name: 'routers' }, spec: { ipVersion: 4, ips: ['10.6.0.250-10.6.0.254'] } }],
    ['Endpoint', Endpoint, {
      metadata: { name: 'web-0', namespace: 'shop' },
      spec: { podUID: 'u-1', node: 'node1', ownerKind: 'StatefulSet', ownerName: 'web', nics: [{ interface: 'net1', containerID: 'c1', ipv4: '10.6.0.10', ipv4Pool: 'a-v4', vlan: 100 }] },
    }],
    ['IPBlock', IPBlock, {
      metadata: { name: 'a-v4.10.6.0.0' }, spec: { pool: 'a-v4', start: '10.6.0.0', size: 256 },
      status: { allocations: { '10': { podUID: 'u-1', namespace: 'shop', name: 'web-0', containerID: 'c1', ifname: 'net1', node: 'node1', at, network: 'macvlan-a' } } },
    }],
  ];
  for (const [kind, schema, object] of samples) {
    t.true(schema.safeParse(object).success, `${kind}: zod takes the sample`);
    t.deepEqual(validate(openAPIV3Schema(crdOf(kind)), object), [], `${kind}: the CRD schema takes the sample`);
  }
  // And the CRD refuses what it can express: a bad ipVersion, a missing field, an out-of-range size.
  t.not(validate(openAPIV3Schema(crdOf('IPPool')), { metadata: {}, spec: { ipVersion: 5, subnet: 'x', ips: ['x'] } }).length, 0);
  t.not(validate(openAPIV3Schema(crdOf('Endpoint')), { metadata: {}, spec: { podUID: 'u', node: 'n' } }).length, 0);
  t.not(validate(openAPIV3Schema(crdOf('IPBlock')), { metadata: {}, spec: { pool: 'p', start: '10.0.0.0', size: 257 } }).length, 0);
});

test('M-06 the converter: literal unions become enums, loose objects keep unknown fields, strict ones drop additionalProperties', (t) => {
  t.deepEqual(zodToStructural(z.union([z.literal(4), z.literal(6)])), { type: 'integer', enum: [4, 6] });
  t.deepEqual(zodToStructural(z.union([z.literal('a'), z.literal('b')])), { type: 'string', enum: ['a', 'b'] });
  t.deepEqual(zodToStructural(z.looseObject({ a: z.string() })), {
    type: 'object', properties: { a: { type: 'string' } }, required: ['a'], 'x-kubernetes-preserve-unknown-fields': true,
  });
  t.deepEqual(zodToStructural(z.strictObject({ a: z.optional(z.int()) })), { type: 'object', properties: { a: { type: 'integer' } } });
  t.deepEqual(zodToStructural(z.unknown()), { 'x-kubernetes-preserve-unknown-fields': true });
  t.deepEqual(zodToStructural(z.record(z.string(), z.boolean())), { type: 'object', additionalProperties: { type: 'boolean' } });
  t.deepEqual(zodToStructural(z.int().check(z.positive())), { type: 'integer', minimum: 0, exclusiveMinimum: true });
});

test('M-07 the converter refuses what the API server would: mixed unions, tuples', (t) => {
  t.throws(() => zodToStructural(z.strictObject({ a: z.union([z.string(), z.int()]) })), { message: /^\(root\)\.a: only unions of literals/ });
  t.throws(() => zodToStructural(z.union([z.literal('a'), z.literal(1)])), { message: /different types/ });
  t.throws(() => zodToStructural(z.tuple([z.string(), z.int()])), { message: /^\(root\)\[\]: only unions of literals/ });
});

test('M-08 customResourceDefinition is deterministic and carries the status subresource only with a status', (t) => {
  for (const def of RESOURCES) t.deepEqual(customResourceDefinition(def), customResourceDefinition(def));
  const withStatus = RESOURCES.filter((def) => def.status !== undefined).map((def) => def.plural);
  t.deepEqual(withStatus, ['ippools', 'subnets', 'reservedips', 'ipblocks']);
});
