// What `npm run build` bundles and how a bundle's first line finds its runtime.

/** Plugin name (the file the runtime execs) → entry source. */
export const pluginEntries: Record<string, string> = {
  'nicpool-ipam': 'plugins/ipam/main.ts',
  'nicpool-router': 'plugins/router/main.ts',
  'nicpool-coordinator': 'plugins/coordinator/main.ts',
};

/**
 * The bundle's first line: a fixed Node 24 (never the PATH's `node`: runtimes exec plugins
 * with their own PATH, where node may be old or absent) and V8's compile cache, set through
 * env -S, the one way to set a variable from a shebang. Every pod ADD starts a plugin, and
 * compiling the bundle anew each time costs more than running it.
 */
export function shebang(nodePath: string, compileCacheDir: string): string {
  return `#!/usr/bin/env -S NODE_COMPILE_CACHE=${compileCacheDir} ${nodePath}`;
}
