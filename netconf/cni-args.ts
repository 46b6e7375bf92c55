import * as z from 'zod/mini';
import { CniCode, CniError } from './errors.ts';
import { parseOrThrow } from './parse.ts';

/**
 * The CNI_ARGS keys we read. Multus sets the K8S_* ones; IP and NICPOOL_IPPOOLS let a runtime
 * without Kubernetes ask for an address or a pool. Unknown keys are ignored, as with
 * IgnoreUnknown=1, because Multus and runtimes add keys of their own.
 */
export const CniArgs = z.object({
  K8S_POD_NAMESPACE: z.optional(z.string()),
  K8S_POD_NAME: z.optional(z.string()),
  K8S_POD_UID: z.optional(z.string()),
  K8S_POD_INFRA_CONTAINER_ID: z.optional(z.string()),
  /** Comma-separated IPs requested for this attachment (host-local's convention). */
  IP: z.optional(z.string()),
  /** Comma-separated pool names, first match wins. */
  NICPOOL_IPPOOLS: z.optional(z.string()),
  /** The pod NIC that keeps the default route (the pod's ipam.nicpool.io/default-route-nic). */
  NICPOOL_DEFAULT_ROUTE_NIC: z.optional(z.string()),
});
export type CniArgs = z.infer<typeof CniArgs>;

export function parseCniArgs(text: string): CniArgs {
  const pairs: Record<string, string> = {};
  for (const part of text.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CniError(CniCode.InvalidEnv, `CNI_ARGS: ${JSON.stringify(part)} is not KEY=VALUE`);
    const key = part.slice(0, eq);
    if (key in CniArgs.shape) pairs[key] = part.slice(eq + 1);
  }
  // Runtimes other than the kubelet send `K8S_POD_UID=`: an empty UID is no UID (the pod is
  // then found by namespace/name alone), never a UID that no pod has.
  if (pairs.K8S_POD_UID === '') delete pairs.K8S_POD_UID;
  return parseOrThrow(CniArgs, pairs, { root: 'CNI_ARGS', code: CniCode.InvalidEnv });
}

export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}
