import * as z from 'zod';
import { CniResult } from './result.ts';

/**
 * One plugin's network configuration as the runtime hands it on stdin (spec §"Network
 * configuration"). Loose: plugins in a chain share keys we do not know.
 */
export const PluginConf = z.looseObject({
  cniVersion: z.string(),
  name: z.string().min(1, 'is empty'),
  type: z.string().min(1, 'is empty'),
  ipam: z.looseObject({ type: z.string() }).optional(),
  prevResult: CniResult.optional(),
  runtimeConfig: z
    .looseObject({
      ips: z.array(z.string()).optional(),
      mac: z.string().optional(),
    })
    .optional(),
  args: z
    .looseObject({
      cni: z.looseObject({ ips: z.array(z.string()).optional(), ippools: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  'cni.dev/valid-attachments': z.array(z.looseObject({ containerID: z.string(), ifname: z.string() })).optional(),
});
export type PluginConf = z.infer<typeof PluginConf>;

/** A conflist (spec §"Configuration format"), as found in /etc/cni/net.d or a NAD. */
export const ConfList = z.looseObject({
  cniVersion: z.string(),
  name: z.string().min(1),
  disableCheck: z.boolean().optional(),
  disableGC: z.boolean().optional(),
  plugins: z.array(z.looseObject({ type: z.string().min(1) })).min(1),
});
export type ConfList = z.infer<typeof ConfList>;
