import { selectorMatches } from '../../netconf/label-selector.ts';
import type { PoolFilterLabels } from '../allocate/attachment.ts';
import type { CompiledPool } from '../pools/compiled-pool.ts';

/** What a pool's filters are matched against. Without Kubernetes a pod has no labels. */
export interface FilterContext {
  network: string;
  nodeName: string;
  podNamespace: string | undefined;
  /** The Kubernetes store's real labels; without them only the name labels can be matched. */
  labels?: PoolFilterLabels;
  /** For a question about no particular pod (STATUS): namespace and pod affinities do not apply. */
  ignorePodFilters?: boolean;
}

/** Why a pool may not serve this attachment, or undefined when it may. */
export function poolRejection(pool: CompiledPool, ctx: FilterContext): string | undefined {
  const spec = pool.spec;
  if (pool.conflict) return `set aside: it ${pool.conflict.message} (both pools of an overlapping pair serve no ADD until one is changed or deleted)`;
  if (spec.disable) return 'disabled';
  if (spec.multusName && !spec.multusName.includes(ctx.network)) {
    return `multusName ${JSON.stringify(spec.multusName)} does not include network ${JSON.stringify(ctx.network)}`;
  }
  // Kubernetes labels every node and namespace with its name; that is what we can match locally.
  const nodeLabels = ctx.labels?.node ?? { 'kubernetes.io/hostname': ctx.nodeName };
  if (spec.nodeAffinity && !selectorMatches(spec.nodeAffinity, nodeLabels)) {
    return `nodeAffinity does not match node ${JSON.stringify(ctx.nodeName)}`;
  }
  if (ctx.ignorePodFilters) return undefined;
  if (spec.namespaceAffinity) {
    const labels = ctx.labels?.namespace ?? (ctx.podNamespace === undefined ? {} : { 'kubernetes.io/metadata.name': ctx.podNamespace });
    if (!selectorMatches(spec.namespaceAffinity, labels)) {
      return `namespaceAffinity does not match namespace ${JSON.stringify(ctx.podNamespace ?? '')}`;
    }
  }
  if (spec.podAffinity && !selectorMatches(spec.podAffinity, ctx.labels?.pod ?? {})) {
    return ctx.labels === undefined ? 'podAffinity needs pod labels, which only the Kubernetes store has' : "podAffinity does not match the pod's labels";
  }
  return undefined;
}
