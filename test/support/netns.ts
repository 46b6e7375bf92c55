// Namespace/link helpers for root tests. Everything is created with random
// names inside namespaces the test owns, so parallel test processes never
// collide and the host's own network is never touched.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const netnsDir = '/var/run/netns';
const IFNAMSIZ = 15;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function notRootMessage(what = 'this test'): string {
  return `${what} needs root (it creates network namespaces and links); run it as root, e.g. in the lab VM`;
}

export function assertRoot(what?: string): void {
  if (!isRoot()) throw new Error(notRootMessage(what));
}

/** Lower-case alphanumerics only: valid in both netns and link names. */
export function randomSuffix(length = 6): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

/** A unique link name: prefix + 6 random chars, within the kernel's 15. */
export function uniqueLinkName(prefix: string): string {
  if (prefix.length > IFNAMSIZ - 6) throw new Error(`link name prefix "${prefix}" too long (max ${IFNAMSIZ - 6})`);
  return prefix + randomSuffix(6);
}

export interface Netns {
  name: string;
  path: string;
}

export function netnsPath(name: string): string {
  return path.join(netnsDir, name);
}

function newNetnsName(prefix: string): string {
  return `np-${prefix}-${randomSuffix(6)}`;
}

async function addNetns(name: string): Promise<Netns> {
  await execa('ip', ['netns', 'add', name]);
  try {
    // Tests nearly always want loopback; a fresh netns has it down.
    await ipIn(name, ['link', 'set', 'lo', 'up']);
  } catch (err) {
    await deleteNetns(name);
    throw err;
  }
  return { name, path: netnsPath(name) };
}

/** A fresh netns named np-<prefix>-<random6>. Prefer Lab.netns in tests. */
export async function createNetns(prefix: string): Promise<Netns> {
  assertRoot('createNetns');
  return addNetns(newNetnsName(prefix));
}

/** Idempotent: succeeds if the namespace is already gone. */
export async function deleteNetns(name: string): Promise<void> {
  const proc = await execa('ip', ['netns', 'del', name], { reject: false });
  if (proc.exitCode !== 0 && existsSync(netnsPath(name))) {
    throw new Error(`ip netns del ${name} failed: ${proc.stderr}`);
  }
}

function nsArgv(ns: string | undefined): string[] {
  return ns === undefined ? [] : ['-n', ns];
}

/** `ip [-n ns] ...argv`; ns undefined means the current namespace. */
export function ipIn(ns: string | undefined, argv: readonly string[]) {
  return execa('ip', [...nsArgv(ns), ...argv]);
}

/** Parsed `ip -j [-n ns] ...argv`. */
export async function ipJson(ns: string | undefined, argv: readonly string[]): Promise<unknown> {
  const { stdout } = await execa('ip', ['-j', ...nsArgv(ns), ...argv]);
  // Some ip subcommands print nothing rather than [] when empty.
  return stdout.trim() === '' ? [] : JSON.parse(stdout);
}

const addrListSchema = z.array(
  z.object({
    ifname: z.string(),
    addr_info: z.array(z.object({ family: z.string(), local: z.string(), prefixlen: z.number() }).loose()),
  }).loose(),
);

export interface IfAddress {
  family: string;
  local: string;
  prefixlen: number;
}

/** Addresses on one interface, e.g. [{family:'inet', local:'10.0.0.2', prefixlen:24}]. */
export async function addressesOf(ns: string | undefined, ifname: string): Promise<IfAddress[]> {
  const links = addrListSchema.parse(await ipJson(ns, ['addr', 'show', 'dev', ifname]));
  return links.flatMap((l) => l.addr_info.map(({ family, local, prefixlen }) => ({ family, local, prefixlen })));
}

export async function linkExists(ns: string | undefined, name: string): Promise<boolean> {
  const proc = await execa('ip', [...nsArgv(ns), 'link', 'show', 'dev', name], { reject: false });
  return proc.exitCode === 0;
}

/** Idempotent: succeeds if the link (or its namespace) is already gone. */
export async function deleteLink(ns: string | undefined, name: string): Promise<void> {
  if (ns !== undefined && !existsSync(netnsPath(ns))) return;
  const proc = await execa('ip', [...nsArgv(ns), 'link', 'del', 'dev', name], { reject: false });
  if (proc.exitCode !== 0 && (await linkExists(ns, name))) {
    throw new Error(`ip link del ${name} failed: ${proc.stderr}`);
  }
}

/** One veth pair, each end placed directly into its namespace (undefined = current). */
export async function createVethPair(
  nameA: string,
  nsA: string | undefined,
  nameB: string,
  nsB: string | undefined,
): Promise<void> {
  for (const n of [nameA, nameB]) {
    if (n.length > IFNAMSIZ) throw new Error(`link name "${n}" longer than ${IFNAMSIZ}`);
  }
  const place = (ns: string | undefined) => (ns === undefined ? [] : ['netns', ns]);
  await execa('ip', ['link', 'add', nameA, ...place(nsA), 'type', 'veth', 'peer', 'name', nameB, ...place(nsB)]);
}

/**
 * Records everything a test creates and removes it all in cleanup(), in
 * reverse order, continuing past failures. Each undo is registered *before*
 * its create step and is idempotent, so a half-done step is still cleaned up.
 * Use: `const lab = new Lab(); t.teardown(() => lab.cleanup());`
 */
export class Lab {
  readonly #undo: Array<{ what: string; fn: () => Promise<void> }> = [];

  /** Register any extra cleanup step. */
  defer(what: string, fn: () => Promise<void>): void {
    this.#undo.push({ what, fn });
  }

  async netns(prefix: string): Promise<Netns> {
    assertRoot('Lab.netns');
    const name = newNetnsName(prefix);
    this.defer(`netns ${name}`, () => deleteNetns(name));
    return addNetns(name);
  }

  async veth(nameA: string, nsA: string | undefined, nameB: string, nsB: string | undefined): Promise<void> {
    // Deleting either end removes the pair; try both in case one end moved.
    this.defer(`veth ${nameA}/${nameB}`, async () => {
      await deleteLink(nsA, nameA);
      await deleteLink(nsB, nameB);
    });
    await createVethPair(nameA, nsA, nameB, nsB);
  }

  async tmpDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `np-${prefix}-`));
    this.defer(`dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    for (const { what, fn } of this.#undo.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(new Error(`cleanup of ${what} failed`, { cause: err }));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `Lab cleanup: ${errors.length} step(s) failed`);
  }
}

/** Sets a sysctl inside a namespace (procps' sysctl, argv only). */
export async function sysctlIn(ns: string, key: string, value: string): Promise<void> {
  await execa('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
}
