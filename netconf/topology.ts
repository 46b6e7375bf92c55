import * as z from 'zod/mini';

/** The routing lab's topology file (cli/lab/topology.json), shared by the netns lab and vagrant/. */
const SubnetName = z.string().check(z.regex(/^[A-Z]$/, 'is not a subnet name (one capital letter)'));

export const Topology = z.object({
  comment: z.optional(z.string()),
  subnets: z.record(SubnetName, z.object({ ipv4: z.string(), ipv6: z.string(), routerIpv4: z.string(), routerIpv6: z.string() })),
  client: z.object({ subnet: SubnetName, ipv4: z.string(), ipv6: z.string() }),
  node: z.object({
    nics: z.array(z.object({ name: z.string(), subnet: SubnetName, ipv4: z.string(), ipv6: z.string() })),
    serviceCidrs: z.array(z.string()),
    serviceIps: z.object({ ipv4: z.string(), ipv6: z.string() }),
  }),
  pools: z.array(z.object({ name: z.string(), subnet: SubnetName, ipv4Range: z.string(), ipv6Range: z.string() })),
  pods: z.array(z.object({ name: z.string(), nics: z.record(z.string(), SubnetName) })),
});
export type Topology = z.infer<typeof Topology>;
