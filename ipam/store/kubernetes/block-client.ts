import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import * as z from 'zod/mini';
import { CniCode, CniError } from '../../../netconf/errors.ts';
import { IPBlock } from '../../../netconf/ipblock.ts';
import type { IPBlockSpec, IPBlockStatus } from '../../../netconf/ipblock.ts';
import { parseOrThrow } from '../../../netconf/parse.ts';
import { classifyFailure, failureToCniError } from './api-errors.ts';
import { blockName } from '../../pools/block-name.ts';
import { timeoutOptions } from './request-timeout.ts';

/** The label every IPBlock carries, so one pool's blocks are listed without reading the others. */
export const POOL_LABEL = 'nicpool.io/pool';

const IPBLOCKS = { group: 'nicpool.io', version: 'v1', plural: 'ipblocks' } as const;

export interface ReadBlock {
  block: IPBlock;
  resourceVersion: string;
}

export type CreateOutcome = ({ kind: 'Created' } & ReadBlock) | { kind: 'AlreadyExists'; name: string };

/** Conflict: the block changed since `resourceVersion` was read; nothing was written. */
export type ReplaceOutcome = ({ kind: 'Replaced' } & ReadBlock) | { kind: 'Conflict'; name: string };

/**
 * IPBlocks through the API server. Expected outcomes (absent, already there, stale) are values;
 * every failure is a CniError: code 11 when the server cannot be reached or fails (5xx), code 5
 * when it refuses the request or returns a block that is not one.
 */
export interface BlockClient {
  /** The API server's URL, named in errors. */
  readonly server: string;
  getBlock(name: string): Promise<ReadBlock | undefined>;
  /** Every block, or one pool's (by the pool label). */
  listBlocks(pool?: string): Promise<ReadBlock[]>;
  /** Creates the block named `blockName(spec)`, labelled with its pool (plus `labels`). */
  createBlock(spec: IPBlockSpec, labels?: Record<string, string>): Promise<CreateOutcome>;
  /** Compare-and-swap of the status: writes only if the block is still at `resourceVersion`. */
  replaceBlockStatus(name: string, status: IPBlockStatus, resourceVersion: string): Promise<ReplaceOutcome>;
}

export interface BlockClientOptions {
  /** Per-request timeout (default 10 s); a timeout is code 11. */
  timeoutMs?: number;
}

// Only what is needed besides IPBlock's own schema: the version to compare-and-swap on.
const Versioned = z.looseObject({ metadata: z.looseObject({ resourceVersion: z.string().check(z.minLength(1)) }) });
const ListShape = z.looseObject({ items: z.array(z.unknown()) });
const Named = z.looseObject({ metadata: z.looseObject({ name: z.string() }) });

export function createBlockClient(kc: KubeConfig, options: BlockClientOptions = {}): BlockClient {
  const api = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server ?? '(no current cluster)';
  const requestOptions = timeoutOptions(options.timeoutMs ?? 10_000);

  const fail = (error: unknown, what: string): never => {
    throw failureToCniError(error, server, what) ?? error;
  };

  const statusCode = (error: unknown): number | undefined => {
    const failure = classifyFailure(error);
    return failure?.kind === 'status' ? failure.code : undefined;
  };

  return {
    server,

    async getBlock(name) {
      let object: unknown;
      try {
        object = await api.getClusterCustomObject({ ...IPBLOCKS, name }, requestOptions);
      } catch (error) {
        if (statusCode(error) === 404) return undefined;
        return fail(error, `reading IPBlock ${name}`);
      }
      return readBlock(object, `IPBlock ${name}`);
    },

    async listBlocks(pool) {
      const what = pool === undefined ? 'listing IPBlocks' : `listing the IPBlocks of pool ${pool}`;
      let object: unknown;
      try {
        object = await api.listClusterCustomObject({ ...IPBLOCKS, ...(pool === undefined ? {} : { labelSelector: `${POOL_LABEL}=${pool}` }) }, requestOptions);
      } catch (error) {
        return fail(error, what);
      }
      const list = ListShape.safeParse(object);
      if (!list.success) throw new CniError(CniCode.IoFailure, `Kubernetes API server ${server}: ${what}: the answer is not a list`);
      return list.data.items.map((item, index) => readBlock(item, `IPBlock ${itemName(item) ?? `#${index}`}`));
    },

    async createBlock(spec, labels = {}) {
      const name = blockName(spec);
      const body = { apiVersion: 'nicpool.io/v1', kind: 'IPBlock', metadata: { name, labels: { ...labels, [POOL_LABEL]: spec.pool } }, spec };
      let object: unknown;
      try {
        object = await api.createClusterCustomObject({ ...IPBLOCKS, body }, requestOptions);
      } catch (error) {
        if (statusCode(error) === 409) return { kind: 'AlreadyExists', name };
        return fail(error, `creating IPBlock ${name}`);
      }
      return { kind: 'Created', ...readBlock(object, `IPBlock ${name}`) };
    },

    async replaceBlockStatus(name, status, resourceVersion) {
      // The API server treats an empty resourceVersion as an unconditional write: that would
      // silently overwrite a concurrent allocation.
      if (resourceVersion === '') throw new CniError(CniCode.Internal, `IPBlock ${name}: refusing a status write without a resourceVersion`);
      const body = { apiVersion: 'nicpool.io/v1', kind: 'IPBlock', metadata: { name, resourceVersion }, status };
      let object: unknown;
      try {
        object = await api.replaceClusterCustomObjectStatus({ ...IPBLOCKS, name, body }, requestOptions);
      } catch (error) {
        if (statusCode(error) === 409) return { kind: 'Conflict', name };
        return fail(error, `writing the status of IPBlock ${name}`);
      }
      return { kind: 'Replaced', ...readBlock(object, `IPBlock ${name}`) };
    },
  };

  function readBlock(object: unknown, root: string): ReadBlock {
    let block: IPBlock;
    try {
      block = parseOrThrow(IPBlock, object, { root, code: CniCode.IoFailure });
    } catch (error) {
      // parseOrThrow makes unknown keys alone code 2 (a user's config); here any bad shape is
      // stored data we cannot trust, which is code 5 whatever its kind.
      if (error instanceof CniError) throw new CniError(CniCode.IoFailure, `malformed IPBlock from ${server}: ${error.message}`);
      throw error;
    }
    const versioned = Versioned.safeParse(object);
    if (!versioned.success) throw new CniError(CniCode.IoFailure, `${root}: metadata.resourceVersion is missing in the answer of ${server}`);
    return { block, resourceVersion: versioned.data.metadata.resourceVersion };
  }
}

function itemName(item: unknown): string | undefined {
  const named = Named.safeParse(item);
  return named.success ? named.data.metadata.name : undefined;
}
