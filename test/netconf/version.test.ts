import test from '../support/test.ts';
import { assertVersionAllows, compareVersions, currentVersion, isSupportedVersion, versionOutput } from '../../netconf/version.ts';
import { throwsCni } from './cni-assert.ts';

test('U-NC-44 compareVersions orders dotted versions numerically, missing parts count as 0', (t) => {
  t.is(compareVersions('0.10.0', '0.4.0'), 1);
  t.is(compareVersions('0.4.0', '0.10.0'), -1);
  t.is(compareVersions('0.3.1', '0.4.0'), -1);
  t.is(compareVersions('1.1.0', '1.0.0'), 1);
  t.is(compareVersions('1.0.0', '1.0.0'), 0);
  t.is(compareVersions('1.0', '1.0.0'), 0);
  t.is(compareVersions('2', '1.9.9'), 1);
});

test('U-NC-45 CHECK needs cniVersion 0.4.0: 0.3.0 and 0.3.1 are code 1 naming version and minimum', (t) => {
  for (const version of ['0.3.0', '0.3.1']) {
    throwsCni(t, () => assertVersionAllows('CHECK', version), 1,
      `cniVersion: "${version}" does not support CHECK (needs 0.4.0 or later)`);
  }
  for (const version of ['0.4.0', '1.0.0', '1.1.0']) t.notThrows(() => assertVersionAllows('CHECK', version), version);
});

test('U-NC-46 GC and STATUS need cniVersion 1.1.0: 1.0.0 and 0.4.0 are code 1', (t) => {
  for (const command of ['GC', 'STATUS']) {
    for (const version of ['0.4.0', '1.0.0']) {
      throwsCni(t, () => assertVersionAllows(command, version), 1,
        `cniVersion: "${version}" does not support ${command} (needs 1.1.0 or later)`);
    }
    t.notThrows(() => assertVersionAllows(command, '1.1.0'));
  }
});

test('U-NC-47 ADD, DEL and VERSION are allowed at every version, even 0.3.0', (t) => {
  for (const command of ['ADD', 'DEL', 'VERSION']) {
    for (const version of ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']) {
      t.notThrows(() => assertVersionAllows(command, version), `${command} ${version}`);
    }
  }
});

test('U-NC-48 versionOutput is {cniVersion 1.1.0, supportedVersions 0.3.0..1.1.0} and a fresh array each call', (t) => {
  t.deepEqual(versionOutput(), { cniVersion: '1.1.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  t.is(currentVersion, '1.1.0');
  const first = versionOutput();
  first.supportedVersions.push('9.9.9');
  t.deepEqual(versionOutput().supportedVersions, ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']);
});

test('U-NC-49 isSupportedVersion accepts exactly the five supported versions', (t) => {
  for (const version of ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']) t.true(isSupportedVersion(version), version);
  for (const version of ['0.2.0', '1.2.0', '1.1', '', 'v1.1.0', '1.1.0 ']) t.false(isSupportedVersion(version), version);
});
