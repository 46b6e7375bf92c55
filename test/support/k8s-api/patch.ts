// The two patch formats client-node sends: JSON merge patch (RFC 7386) and
// JSON patch (RFC 6902). Strategic merge patch is approximated by merge patch
// (no list merge keys); apply patches are not supported.
import { ApiError, failure } from './status.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const invalid = (message: string) => new ApiError(failure(422, 'Invalid', message));

// RFC 6901 pointer: "/a/b~1c/0" -> ['a', 'b/c', '0'].
function pointer(p: unknown): string[] {
  if (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))) throw invalid(`invalid JSON pointer ${String(p)}`);
  return p === '' ? [] : p.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function parentOf(doc: unknown, path: string[]): { parent: Obj | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const part of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObj(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined) throw invalid(`path /${path.join('/')} does not exist`);
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw invalid(`path /${path.join('/')} does not exist`);
  return { parent: cur, key: path.at(-1) ?? '' };
}

function get(doc: unknown, path: string[]): unknown {
  if (path.length === 0) return doc;
  const { parent, key } = parentOf(doc, path);
  const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (v === undefined) throw invalid(`path /${path.join('/')} does not exist`);
  return v;
}

function remove(doc: unknown, path: string[]): void {
  get(doc, path); // must exist
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

function add(doc: unknown, path: string[], value: unknown, replace: boolean): unknown {
  if (path.length === 0) return structuredClone(value);
  if (replace) get(doc, path);
  const { parent, key } = parentOf(doc, path);
  const v = structuredClone(value);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw invalid(`bad array index ${key}`);
    if (replace) parent[i] = v;
    else parent.splice(i, 0, v);
  } else parent[key] = v;
  return doc;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw invalid('json patch must be an array of operations');
  let out = structuredClone(doc);
  for (const op of ops) {
    if (!isObj(op)) throw invalid('json patch operation must be an object');
    const path = pointer(op['path']);
    switch (op['op']) {
      case 'add':
        out = add(out, path, op['value'], false);
        break;
      case 'replace':
        out = add(out, path, op['value'], true);
        break;
      case 'remove':
        remove(out, path);
        break;
      case 'move':
      case 'copy': {
        const from = pointer(op['from']);
        const v = get(out, from);
        if (op['op'] === 'move') remove(out, from);
        out = add(out, path, v, false);
        break;
      }
      case 'test':
        if (JSON.stringify(get(out, path)) !== JSON.stringify(op['value'])) {
          throw invalid(`the server rejected our request due to an error in our request: test failed at /${path.join('/')}`);
        }
        break;
      default:
        throw invalid(`unknown json patch op ${String(op['op'])}`);
    }
  }
  return out;
}
