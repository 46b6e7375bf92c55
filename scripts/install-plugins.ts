// Installs the built plugins into a CNI bin dir (default /opt/cni/bin), with the Node 24
// runtime they run on beside them as `nicpool-node` (Kubernetes hosts have no Node).
// Usage: npm run install-plugins [-- --dir /opt/cni/bin] [--cache-dir /var/cache/nicpool]
// Every file is written to a temp name and renamed, so a runtime never execs a half-copy.
import { copyFileSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { pluginEntries, shebang } from './plugin-bundles.ts';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: '/opt/cni/bin' }, 'cache-dir': { type: 'string', default: '/var/cache/nicpool' } },
});
const binDir = values.dir;
const cacheDir = join(values['cache-dir'], 'compile-cache');
const built = fileURLToPath(new URL('../dist/plugins/', import.meta.url));

const runtime = join(binDir, 'nicpool-node');
installFile(runtime, 0o755, (temp) => copyFileSync(process.execPath, temp));
for (const name of Object.keys(pluginEntries)) {
  const source = readFileSync(join(built, name), 'utf8');
  const body = source.slice(source.indexOf('\n') + 1);
  installFile(join(binDir, name), 0o755, (temp) => writeFileSync(temp, `${shebang(runtime, cacheDir)}\n${body}`));
}
process.stderr.write(`installed nicpool-node and ${Object.keys(pluginEntries).join(', ')} into ${binDir}\n`);

function installFile(path: string, mode: number, write: (temp: string) => void): void {
  const temp = `${path}.nicpool-tmp`;
  write(temp);
  chmodSync(temp, mode);
  renameSync(temp, path);
}
