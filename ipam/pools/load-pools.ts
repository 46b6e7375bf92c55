import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { CniCode, CniError } from '../../netconf/errors.ts';
import { IPPool } from '../../netconf/ippool.ts';
import type { IpamConfig } from '../../netconf/ipam-config.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { compilePoolSet } from './pool-set.ts';
import type { CompiledPool } from './compiled-pool.ts';

/**
 * The pool file holds IPPool objects exactly as in Kubernetes: a JSON array, a JSON/YAML List
 * (`items:`), or YAML documents separated by `---`.
 */
const PoolFile = z.union([z.array(IPPool), z.pipe(z.looseObject({ items: z.array(IPPool) }), z.transform((list) => list.items))]);

export async function loadPools(config: IpamConfig): Promise<Map<string, CompiledPool>> {
  const fromFile = await readPoolFile(config.poolFile);
  const inline = config.pools;
  return compilePoolSet([...inline, ...fromFile]);
}

async function readPoolFile(path: string): Promise<IPPool[]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CniError(CniCode.IoFailure, `ipam.poolFile: cannot read ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
  const documents = await decodePoolFile(path, text);
  // Not even the shape of a pool file (a file named by mistake): say so without echoing it.
  if (!isList(documents)) throw new CniError(CniCode.InvalidConfig, `ipam.poolFile: ${JSON.stringify(path)} is not a pool file (an array of IPPool objects, a List with "items", or YAML documents)`);
  return parseOrThrow(PoolFile, documents, { root: path });
}

async function decodePoolFile(path: string, text: string): Promise<unknown> {
  try {
    if (/\.ya?ml$/.test(path)) {
      // Loaded only for YAML files: the JSON path stays lean.
      const { parseAllDocuments } = await import('yaml');
      const docs = parseAllDocuments(text).map((doc) => {
        if (doc.errors.length > 0) throw doc.errors[0];
        return doc.toJS() as unknown;
      });
      return docs.length === 1 && isList(docs[0]) ? docs[0] : docs.filter((doc) => doc !== null);
    }
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CniError(CniCode.DecodeFailure, `ipam.poolFile: ${JSON.stringify(path)} is not valid ${/\.ya?ml$/.test(path) ? 'YAML' : 'JSON'}: ${withoutContent((error as Error).message)}`);
  }
}

/**
 * A decoder's message without the content it quotes: V8 appends the text's first bytes
 * (`Unexpected token 'x', "…" is not valid JSON`), YAML a snippet after the position; the file
 * may hold anything (a secret named by mistake), and a message is no place to copy it.
 */
function withoutContent(message: string): string {
  return message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '').split('\n')[0]!.replace(/:$/, '');
}

function isList(doc: unknown): boolean {
  return Array.isArray(doc) || (typeof doc === 'object' && doc !== null && 'items' in doc);
}
