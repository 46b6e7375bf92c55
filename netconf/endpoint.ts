import * as z from 'zod/mini';
import { parseIp } from './ip/index.ts';
import { ContainerId, InterfaceName, ObjectName } from './names.ts';

/**
 * Endpoint (nicpool.io/v1, namespaced, named after its pod): the pod's addresses per NIC, its
 * UID, node and owner (design §4). It is the record that makes ADD idempotent and lets a
 * StatefulSet or KubeVirt pod keep its addresses across re-creation. The agent writes it in one
 * create or update, so everything lives in `spec` (a status subresource would need a second write).
 */
const address = (family: 4 | 6) =>
  z.string().check(z.refine((text) => parseIp(text)?.family === family, `is not an IPv${family} address`));

export const EndpointNic = z
  .strictObject({
    interface: InterfaceName,
    /** The sandbox that holds the NIC's addresses: an ADD from another one is a new sandbox. */
    containerID: ContainerId,
    ipv4: z.optional(address(4)),
    ipv6: z.optional(address(6)),
    ipv4Pool: z.optional(ObjectName),
    ipv6Pool: z.optional(ObjectName),
    vlan: z.optional(z.int().check(z.gte(0), z.lte(4094))),
  })
  .check(
    z.superRefine((nic, ctx) => {
      if (nic.ipv4 === undefined && nic.ipv6 === undefined) {
        ctx.addIssue({ code: 'custom', path: ['ipv4'], message: 'must be set when ipv6 is not (a NIC holds at least one address)' });
      }
      if (nic.ipv4Pool !== undefined && nic.ipv4 === undefined) {
        ctx.addIssue({ code: 'custom', path: ['ipv4Pool'], message: 'must not be set without ipv4' });
      }
      if (nic.ipv6Pool !== undefined && nic.ipv6 === undefined) {
        ctx.addIssue({ code: 'custom', path: ['ipv6Pool'], message: 'must not be set without ipv6' });
      }
    }),
  );
export type EndpointNic = z.infer<typeof EndpointNic>;

export const EndpointSpec = z
  .strictObject({
    podUID: z.string().check(z.minLength(1, 'is empty')),
    node: z.string().check(z.minLength(1, 'is empty')),
    /** The pod's controller (StatefulSet, Deployment via its ReplicaSet, VirtualMachineInstance…). */
    ownerKind: z.optional(z.string().check(z.minLength(1, 'is empty'))),
    ownerName: z.optional(ObjectName),
    nics: z.array(EndpointNic).check(z.minLength(1, 'must list at least one NIC')),
  })
  .check(
    z.superRefine((spec, ctx) => {
      if ((spec.ownerKind === undefined) !== (spec.ownerName === undefined)) {
        const key = spec.ownerKind === undefined ? 'ownerKind' : 'ownerName';
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be set with ownerKind and ownerName together' });
      }
      const seen = new Set<string>();
      spec.nics.forEach((nic, index) => {
        if (seen.has(nic.interface)) {
          ctx.addIssue({ code: 'custom', path: ['nics', index, 'interface'], message: 'is listed twice (one entry per NIC)' });
        }
        seen.add(nic.interface);
      });
    }),
  );
export type EndpointSpec = z.infer<typeof EndpointSpec>;

export const Endpoint = z.strictObject({
  apiVersion: z.optional(z.literal('nicpool.io/v1')),
  kind: z.optional(z.literal('Endpoint')),
  metadata: z.looseObject({ name: ObjectName, namespace: z.optional(ObjectName) }),
  spec: EndpointSpec,
});
export type Endpoint = z.infer<typeof Endpoint>;
