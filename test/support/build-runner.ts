// Builds test/support/cnirunner (Go, libcni) into test/support/bin/cnirunner.
// Parallel ava workers may all call ensureCniRunner(): each builds to a private
// temp name and renames into place, so nobody ever executes a half-written file.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const supportDir = import.meta.dirname;
export const runnerSourceDir = path.join(supportDir, 'cnirunner');
export const runnerBinary = path.join(supportDir, 'bin', 'cnirunner');

// Debian's golang-github-appc-cni-dev ships libcni in GOPATH layout only, and
// there is no module proxy offline, so build in GOPATH mode.
const goEnv = {
  GO111MODULE: 'off',
  GOPATH: '/usr/share/gocode',
  GOFLAGS: '',
  GOCACHE: path.join(os.tmpdir(), 'nicpool-gocache'),
};

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function isFresh(): Promise<boolean> {
  const [bin, src] = await Promise.all([
    mtimeMs(runnerBinary),
    mtimeMs(path.join(runnerSourceDir, 'main.go')),
  ]);
  if (src === undefined) throw new Error(`cnirunner source missing in ${runnerSourceDir}`);
  return bin !== undefined && bin >= src;
}

async function build(): Promise<void> {
  await mkdir(path.dirname(runnerBinary), { recursive: true });
  const tmp = `${runnerBinary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await execa('go', ['build', '-o', tmp, '.'], { cwd: runnerSourceDir, env: goEnv });
    await rename(tmp, runnerBinary);
  } finally {
    await rm(tmp, { force: true });
  }
}

// One build per process even if many tests ask at once.
let pending: Promise<string> | undefined;

export function ensureCniRunner(): Promise<string> {
  pending ??= (async () => {
    if (!(await isFresh())) await build();
    return runnerBinary;
  })();
  // A failed build must not be cached forever.
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

if (import.meta.main) {
  console.log(await ensureCniRunner());
}
