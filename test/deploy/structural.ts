// Checks of CRD schemas for the deploy tests: the structural-schema rules the API server applies
// when a CRD is created, and a small validator of objects against such a schema (the subset of
// OpenAPI v3 we emit), so that tests can show an object the zod schema takes is also one the API
// server takes.

type Json = Record<string, unknown>;

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const ALLOWED = new Set([
  'type', 'description', 'format', 'enum', 'default', 'nullable', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'properties', 'required', 'additionalProperties',
  'items', 'x-kubernetes-preserve-unknown-fields',
]);

/** Problems that would make the API server refuse a CRD's openAPIV3Schema; [] if none. */
export function structuralProblems(root: Json): string[] {
  const problems: string[] = [];
  const walk = (node: Json, path: string, isRoot: boolean) => {
    for (const key of Object.keys(node)) {
      if (!ALLOWED.has(key)) problems.push(`${path}: keyword ${key} is not allowed`);
    }
    const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
    if (node.type === undefined && !preserve) problems.push(`${path}: no type`);
    if (node.type !== undefined && !TYPES.has(node.type as string)) problems.push(`${path}: type ${String(node.type)}`);
    if (node.additionalProperties !== undefined) {
      if (typeof node.additionalProperties !== 'object') problems.push(`${path}: additionalProperties must be a schema`);
      if (node.properties !== undefined) problems.push(`${path}: additionalProperties beside properties`);
      if (node.type !== 'object') problems.push(`${path}: additionalProperties on a non-object`);
    }
    if (node.properties !== undefined && node.type !== 'object') problems.push(`${path}: properties on a non-object`);
    if (node.type === 'array' && node.items === undefined) problems.push(`${path}: an array without items`);
    if (node.items !== undefined && node.type !== 'array') problems.push(`${path}: items on a non-array`);
    for (const name of (node.required as string[] | undefined) ?? []) {
      if (!Object.hasOwn((node.properties as Json | undefined) ?? {}, name)) problems.push(`${path}: required ${name} is not a property`);
    }
    for (const value of (node.enum as unknown[] | undefined) ?? []) {
      if (!hasType(value, node.type as string)) problems.push(`${path}: enum value ${JSON.stringify(value)} is not a ${String(node.type)}`);
    }
    for (const key of ['exclusiveMinimum', 'exclusiveMaximum']) {
      if (node[key] !== undefined && typeof node[key] !== 'boolean') problems.push(`${path}: ${key} must be a boolean in OpenAPI v3.0`);
    }
    if (typeof node.pattern === 'string' && /\(\?[=!<]/.test(node.pattern)) problems.push(`${path}: lookaround in pattern (RE2 has none)`);
    for (const [key, child] of Object.entries((node.properties as Record<string, Json> | undefined) ?? {})) {
      if (isRoot && key === 'metadata') {
        if (JSON.stringify(child) !== '{"type":"object"}') problems.push(`${path}.metadata: must be a bare object`);
        continue;
      }
      walk(child, `${path}.${key}`, false);
    }
    if (typeof node.items === 'object' && node.items !== null) walk(node.items as Json, `${path}[]`, false);
    if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
      walk(node.additionalProperties as Json, `${path}.*`, false);
    }
    if (node.default !== undefined) problems.push(...validate(node, node.default, `${path}(default)`));
  };
  if (root.type !== 'object') problems.push('(root): type must be object');
  walk(root, '(root)', true);
  return problems;
}

function hasType(value: unknown, type: string | undefined): boolean {
  switch (type) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

/** Errors of `value` against a structural schema as the API server would report them; [] if valid. */
export function validate(schema: Json, value: unknown, path = ''): string[] {
  const errors: string[] = [];
  if (value === null) return schema.nullable === true ? [] : [`${path}: null`];
  const type = schema.type as string | undefined;
  if (!hasType(value, type)) return [`${path}: ${JSON.stringify(value)} is not ${type}`];
  const enumValues = schema.enum as unknown[] | undefined;
  if (enumValues && !enumValues.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    const min = schema.minimum as number | undefined;
    const max = schema.maximum as number | undefined;
    if (min !== undefined && (schema.exclusiveMinimum ? value <= min : value < min)) errors.push(`${path}: below minimum`);
    if (max !== undefined && (schema.exclusiveMaximum ? value >= max : value > max)) errors.push(`${path}: above maximum`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < (schema.minLength as number)) errors.push(`${path}: shorter than minLength`);
    if (schema.maxLength !== undefined && value.length > (schema.maxLength as number)) errors.push(`${path}: longer than maxLength`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: does not match pattern`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${path}: not a date-time`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) errors.push(`${path}: fewer than minItems`);
    if (schema.maxItems !== undefined && value.length > (schema.maxItems as number)) errors.push(`${path}: more than maxItems`);
    value.forEach((item, index) => errors.push(...validate(schema.items as Json, item, `${path}[${index}]`)));
  }
  if (type === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Json;
    const properties = schema.properties as Record<string, Json> | undefined;
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (record[name] === undefined) errors.push(`${path}.${name}: required`);
    }
    for (const [key, item] of Object.entries(record)) {
      if (path === '' && key === 'metadata') continue; // the API server validates ObjectMeta itself
      const child = properties?.[key] ?? (schema.additionalProperties as Json | undefined);
      if (child) errors.push(...validate(child, item, `${path}.${key}`));
      else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) errors.push(`${path}.${key}: unknown field (pruned)`);
    }
  }
  return errors;
}
