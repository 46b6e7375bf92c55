// Proves the libcni runner end to end with the Debian reference plugins
// (macvlan + host-local). Root only: it builds its own netns topology.
import test from '../support/test.ts';
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { runChain } from '../support/cni-runner.ts';
import type { RunChainOptions } from '../support/cni-runner.ts';
import { Lab, addressesOf, assertRoot, ipIn, linkExists, randomSuffix } from '../support/netns.ts';

const resultSchema = z
  .object({
    cniVersion: z.string(),
    ips: z.array(z.object({ address: z.string() }).loose()).min(1),
  })
  .loose();

interface Fixture {
  pod: string;
  netName: string;
  conflist: object;
  call: Omit<RunChainOptions, 'conflist'>;
}

// node netns holds the macvlan master (veth end m0); the runner runs there,
// because macvlan resolves `master` in its own netns. pod netns gets eth0.
async function setup(t: ExecutionContext, cniVersion: string): Promise<Fixture> {
  assertRoot('cni-runner.test.ts');
  const lab = new Lab();
  t.teardown(() => lab.cleanup());
  const node = await lab.netns('node');
  const pod = await lab.netns('pod');
  await lab.veth('m0', node.name, 'p0', node.name);
  await ipIn(node.name, ['link', 'set', 'm0', 'up']);
  await ipIn(node.name, ['link', 'set', 'p0', 'up']);
  const dir = await lab.tmpDir('cnirun');
  const netName = `np-test-${randomSuffix(4)}`;
  return {
    pod: pod.name,
    netName,
    conflist: {
      cniVersion,
      name: netName,
      plugins: [
        {
          type: 'macvlan',
          master: 'm0',
          mode: 'bridge',
          ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.0.0/24' }]], dataDir: path.join(dir, 'ipam') },
        },
      ],
    },
    call: {
      containerID: `ctr-${randomSuffix(8)}`,
      netns: pod.path,
      ifname: 'eth0',
      cacheDir: path.join(dir, 'cache'),
      cniPath: ['/usr/lib/cni'],
      runnerNetns: node.name,
    },
  };
}

for (const cniVersion of ['1.0.0', '0.4.0', '0.3.1']) {
  test(`T-R01 ADD/CHECK/DEL macvlan+host-local via libcni, cniVersion ${cniVersion}`, async (t) => {
    const f = await setup(t, cniVersion);
    const opts = { ...f.call, conflist: f.conflist };
    const cacheFile = path.join(f.call.cacheDir, 'results', `${f.netName}-${f.call.containerID}-eth0`);

    const add = await runChain('ADD', opts);
    if (!add.ok) return t.fail(`ADD failed: ${JSON.stringify(add.error)}`);
    const result = resultSchema.parse(add.result);
    t.is(result.cniVersion, cniVersion, 'result comes back in the conflist version');
    const [ip, prefix] = result.ips[0]!.address.split('/');
    t.regex(ip!, /^10\.99\.0\.\d+$/);
    t.is(prefix, '24');
    const onPod = await addressesOf(f.pod, 'eth0');
    t.true(onPod.some((a) => a.family === 'inet' && a.local === ip && a.prefixlen === 24), JSON.stringify(onPod));
    t.true(existsSync(cacheFile), 'libcni caches the ADD result');

    const check = await runChain('CHECK', opts);
    if (cniVersion === '0.3.1') {
      // libcni refuses CHECK before 0.4.0 without running any plugin.
      t.false(check.ok);
      if (!check.ok) t.regex(check.error.msg, /does not support the CHECK command/);
    } else {
      t.deepEqual(check, { ok: true });
    }

    t.deepEqual(await runChain('DEL', opts), { ok: true });
    t.false(await linkExists(f.pod, 'eth0'), 'DEL removed the pod interface');
    t.false(existsSync(cacheFile), 'DEL drops the cached result');
    t.deepEqual(await runChain('DEL', opts), { ok: true }, 'DEL is idempotent');
  });
}

test('T-R02 a malformed conflist is a CNI error value, not a throw', async (t) => {
  const f = await setup(t, '1.0.0');
  const out = await runChain('ADD', { ...f.call, conflist: { cniVersion: '1.0.0', name: f.netName, plugins: [] } });
  t.false(out.ok);
  if (!out.ok) {
    t.not(out.error.code, 0);
    t.regex(out.error.msg, /no plugins/);
  }
});

test("T-R03 a plugin's own error code survives libcni's wrapping", async (t) => {
  const f = await setup(t, '9.9.9');
  const out = await runChain('ADD', { ...f.call, conflist: f.conflist });
  t.false(out.ok);
  if (!out.ok) {
    t.is(out.error.code, 1, 'ErrIncompatibleCNIVersion from the plugin itself');
    t.is(out.error.msg, 'incompatible CNI versions');
  }
  t.false(await linkExists(f.pod, 'eth0'));
});
