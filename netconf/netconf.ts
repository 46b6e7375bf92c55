import * as z from 'zod/mini';
import { CniResult } from './result.ts';

/**
 * One plugin's network configuration as the runtime hands it on stdin (spec §"Network
 * configuration"). Loose: plugins in a chain share keys we do not know.
 */
export const PluginConf = z.looseObject({
  cniVersion: z.string(),
  name: z.string().check(z.minLength(1, 'is empty')),
  type: z.string().check(z.minLength(1, 'is empty')),
  ipam: z.optional(z.looseObject({ type: z.string() })),
  prevResult: z.optional(CniResult),
  runtimeConfig: z.optional(
    z.looseObject({
      ips: z.optional(z.array(z.string())),
      mac: z.optional(z.string()),
      defaultRouteNic: z.optional(z.string()),
    }),
  ),
  args: z.optional(
    z.looseObject({
      cni: z.optional(z.looseObject({ ips: z.optional(z.array(z.string())), ippools: z.optional(z.array(z.string())) })),
    }),
  ),
  'cni.dev/valid-attachments': z.optional(z.array(z.looseObject({ containerID: z.string(), ifname: z.string() }))),
});
export type PluginConf = z.infer<typeof PluginConf>;

/** A conflist (spec §"Configuration format"), as found in /etc/cni/net.d or a NAD. */
export const ConfList = z.looseObject({
  cniVersion: z.string(),
  name: z.string().check(z.minLength(1)),
  disableCheck: z.optional(z.boolean()),
  disableGC: z.optional(z.boolean()),
  plugins: z.array(z.looseObject({ type: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
});
export type ConfList = z.infer<typeof ConfList>;

/**
 * The standard keys a chained (meta) plugin's netconf may carry besides its own; spread into
 * each meta plugin's strict schema so its own keys can be strict without refusing these.
 */
export const MetaPluginStandardKeys = {
  cniVersion: z.string(),
  name: z.string(),
  capabilities: z.optional(z.record(z.string(), z.boolean())),
  prevResult: z.optional(z.unknown()),
  runtimeConfig: z.optional(z.unknown()),
  args: z.optional(z.unknown()),
  dns: z.optional(z.unknown()),
};
