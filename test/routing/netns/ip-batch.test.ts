import test from '../../support/test.ts';
import { CniError } from '../../../netconf/errors.ts';
import { runIpBatch, type IpCommand } from '../../../routing/netns/ip-batch.ts';

// Pure tests: a word is refused before any process starts. As a guard, nothing can be found on
// PATH in this worker, so a wrongly spawned `ip` would fail with ENOENT, not with code 7.
process.env.PATH = '/nonexistent';

const unsafe: Array<[what: string, command: IpCommand, word: string]> = [
  ['a space', ['route', 'replace', 'a b', 'dev', 'net1'], 'a b'],
  ['a semicolon', ['route', 'replace', 'x;y', 'dev', 'net1'], 'x;y'],
  ['a comment sign', ['route', 'replace', '10.0.0.0/24', 'dev', 'net1', '#'], '#'],
  ['a double quote', ['route', 'replace', '"10.0.0.0/24"', 'dev', 'net1'], '"10.0.0.0/24"'],
  ['a single quote', ['route', 'replace', "'x'", 'dev', 'net1'], "'x'"],
  ['a newline', ['route', 'replace', '10.0.0.0/24', 'dev', 'net1\nlink del eth0'], 'net1\nlink del eth0'],
  ['a tab', ['route', 'replace', '10.0.0.0/24\tdev', 'net1'], '10.0.0.0/24\tdev'],
  ['a backslash', ['route', 'replace', '10.0.0.0/24', 'dev', 'net1\\'], 'net1\\'],
  ['no characters', ['route', 'replace', '', 'dev', 'net1'], ''],
];

for (const [what, command, word] of unsafe) {
  test(`U-RT-46 runIpBatch refuses a word with ${what}: code 7 naming it, nothing run`, async (t) => {
    const error = await t.throwsAsync(runIpBatch(undefined, [command]), { instanceOf: CniError, message: `refusing iproute2 word ${JSON.stringify(word)}` });
    t.is(error?.code, 7);
  });
}

test('U-RT-47 one unsafe word in a later command refuses the whole batch, in JSON mode and with a family too', async (t) => {
  const commands: IpCommand[] = [['route', 'show', 'table', 'all'], ['rule', 'add', 'from', '10.20.0.5/32', 'lookup', '101;reboot', 'pref', '1000']];
  for (const options of [{}, { family: 4 as const }, { family: 6 as const, json: true }]) {
    const error = await t.throwsAsync(runIpBatch('/var/run/netns/x', commands, options), { instanceOf: CniError, message: 'refusing iproute2 word "101;reboot"' });
    t.is(error?.code, 7);
  }
});

test('U-RT-48 an empty batch runs nothing and returns no output', async (t) => {
  t.deepEqual(await runIpBatch(undefined, []), []);
  t.deepEqual(await runIpBatch('/var/run/netns/x', [], { json: true }), []);
});
