import * as z from 'zod/mini';

/**
 * What `ip -j` prints, the parts we read. Loose: iproute2 adds keys between versions.
 * Routes of table main carry no `table` key; a /32 or /128 `dst` has no prefix length.
 */
export const IpRoute = z.looseObject({
  type: z.optional(z.string()),
  dst: z.string(),
  gateway: z.optional(z.string()),
  dev: z.optional(z.string()),
  table: z.optional(z.string()),
  scope: z.optional(z.string()),
  prefsrc: z.optional(z.string()),
  flags: z.optional(z.array(z.string())),
});
export type IpRoute = z.infer<typeof IpRoute>;

export const IpRule = z.looseObject({
  priority: z.number(),
  src: z.optional(z.string()),
  srclen: z.optional(z.number()),
  dst: z.optional(z.string()),
  dstlen: z.optional(z.number()),
  table: z.optional(z.string()),
});
export type IpRule = z.infer<typeof IpRule>;

export const IpNeighbor = z.looseObject({
  dst: z.string(),
  dev: z.optional(z.string()),
  lladdr: z.optional(z.string()),
  state: z.optional(z.array(z.string())),
});
export type IpNeighbor = z.infer<typeof IpNeighbor>;

export const IpLink = z.looseObject({
  ifindex: z.number(),
  ifname: z.string(),
  address: z.optional(z.string()),
  flags: z.optional(z.array(z.string())),
  addr_info: z.optional(
    z.array(z.looseObject({ family: z.string(), local: z.string(), prefixlen: z.number(), scope: z.optional(z.string()) })),
  ),
});
export type IpLink = z.infer<typeof IpLink>;
