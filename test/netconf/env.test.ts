import test from '../support/test.ts';
import { parseCniEnv } from '../../netconf/env.ts';
import { throwsCni } from './cni-assert.ts';

const full = { CNI_CONTAINERID: 'abc123', CNI_NETNS: '/var/run/netns/pod1', CNI_IFNAME: 'eth0' } as const;
const allowedCommands = '"ADD"|"DEL"|"CHECK"|"GC"|"STATUS"|"VERSION"';

test('U-NC-07 ADD with every variable parses to command, ids, args and an empty path list', (t) => {
  t.deepEqual(parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_ARGS: 'K8S_POD_NAME=web-0', HOME: '/root' }), {
    command: 'ADD', containerId: 'abc123', netns: '/var/run/netns/pod1', ifname: 'eth0', args: 'K8S_POD_NAME=web-0', path: [],
  });
});

test('U-NC-08 ADD and CHECK each need CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME: code 4 naming the variable', (t) => {
  for (const command of ['ADD', 'CHECK']) {
    for (const missing of ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'] as const) {
      const env: Record<string, string> = { CNI_COMMAND: command, ...full };
      delete env[missing];
      throwsCni(t, () => parseCniEnv(env), 4, `${missing} is required for ${command}`);
    }
  }
});

test('U-NC-09 DEL needs CNI_CONTAINERID and CNI_IFNAME but not CNI_NETNS', (t) => {
  t.deepEqual(parseCniEnv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'abc123', CNI_IFNAME: 'eth0' }), {
    command: 'DEL', containerId: 'abc123', netns: undefined, ifname: 'eth0', args: '', path: [],
  });
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'DEL', CNI_IFNAME: 'eth0' }), 4, 'CNI_CONTAINERID is required for DEL');
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'abc123' }), 4, 'CNI_IFNAME is required for DEL');
});

test('U-NC-10 GC, STATUS and VERSION need no container variables', (t) => {
  for (const command of ['GC', 'STATUS', 'VERSION'] as const) {
    t.deepEqual(parseCniEnv({ CNI_COMMAND: command }), {
      command, containerId: undefined, netns: undefined, ifname: undefined, args: '', path: [],
    });
  }
});

test('U-NC-11 an empty-string variable counts as absent (CNI_NETNS="" on ADD is missing)', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: '' }), 4, 'CNI_NETNS is required for ADD');
  t.is(parseCniEnv({ CNI_COMMAND: 'DEL', ...full, CNI_NETNS: '' }).netns, undefined);
});

test('U-NC-12 missing CNI_COMMAND is code 4 naming CNI_COMMAND as missing', (t) => {
  throwsCni(t, () => parseCniEnv({ ...full }), 4, `CNI_COMMAND: missing, invalid option: expected one of ${allowedCommands}`);
});

test('U-NC-13 unknown CNI_COMMAND is code 4 naming the variable and its value', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'add', ...full }), 4, `CNI_COMMAND: invalid option: expected one of ${allowedCommands}, got "add"`);
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'UPDATE' }), 4, `CNI_COMMAND: invalid option: expected one of ${allowedCommands}, got "UPDATE"`);
});

test('U-NC-14 CNI_CONTAINERID must start with a letter or digit and hold only letters, digits, "_", ".", "-"', (t) => {
  for (const id of ['a', '0', 'abc_DEF.1-2', 'f'.repeat(64)]) {
    t.is(parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_CONTAINERID: id }).containerId, id);
  }
  for (const id of ['-abc', '_abc', '.abc', 'abc def', 'abc/def', 'abc:1', 'ab$c']) {
    throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_CONTAINERID: id }), 4,
      `CNI_CONTAINERID: ${JSON.stringify(id)} is not a valid container ID (letters, digits, "_", ".", "-")`);
  }
});

test('U-NC-15 CNI_IFNAME longer than 15 chars is code 4 naming the variable; exactly 15 is accepted', (t) => {
  t.is(parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_IFNAME: 'a23456789012345' }).ifname, 'a23456789012345');
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_IFNAME: 'a234567890123456' }), 4,
    'CNI_IFNAME: "a234567890123456" is not a valid interface name (longer than 15 characters)');
});

test('U-NC-16 CNI_IFNAME with "/", ":" or whitespace is code 4 naming the variable and value', (t) => {
  for (const name of ['eth/0', 'eth:0', 'eth 0', 'eth\t0', 'eth0\n']) {
    throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_IFNAME: name }), 4,
      `CNI_IFNAME: ${JSON.stringify(name)} is not a valid interface name (contains "/", ":" or whitespace)`);
  }
});

test('U-NC-17 CNI_IFNAME "." and ".." are rejected, while "...", "net1.100" and "a-b_c@x" are accepted', (t) => {
  for (const name of ['.', '..']) {
    throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_IFNAME: name }), 4,
      `CNI_IFNAME: ${JSON.stringify(name)} is not a valid interface name`);
  }
  for (const name of ['...', 'net1.100', 'a-b_c@x']) {
    t.is(parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_IFNAME: name }).ifname, name);
  }
});

test('U-NC-18 one bad CNI_IFNAME breaking two rules reports both, joined by "; "', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_IFNAME: 'abcdefghijklmno/' }), 4,
    'CNI_IFNAME: "abcdefghijklmno/" is not a valid interface name (longer than 15 characters); ' +
    'CNI_IFNAME: "abcdefghijklmno/" is not a valid interface name (contains "/", ":" or whitespace)');
});

test('U-NC-19 CNI_NETNS must be absolute: a relative path is code 4 naming the variable', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: 'var/run/netns/x' }), 4,
    'CNI_NETNS: "var/run/netns/x" is not an absolute netns path');
});

test('U-NC-20 CNI_NETNS with a ".." component is code 4, while ".." inside a name is accepted', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: '/var/run/netns/../../etc' }), 4,
    'CNI_NETNS: "/var/run/netns/../../etc" must not contain ".."');
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'DEL', ...full, CNI_NETNS: '/proc/1/ns/..' }), 4,
    'CNI_NETNS: "/proc/1/ns/.." must not contain ".."');
  t.is(parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: '/var/run/netns/cni-a..b' }).netns, '/var/run/netns/cni-a..b');
  t.is(parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: '/proc/4242/ns/net' }).netns, '/proc/4242/ns/net');
});

test('U-NC-21 CNI_NETNS with a control character is code 4', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: '/var/run/netns/a\nb' }), 4,
    'CNI_NETNS: "/var/run/netns/a\\nb" must not contain control characters');
});

test('U-NC-22 a relative CNI_NETNS with ".." reports both rules', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', ...full, CNI_NETNS: '../x' }), 4,
    'CNI_NETNS: "../x" is not an absolute netns path; CNI_NETNS: "../x" must not contain ".."');
});

test('U-NC-23 CNI_PATH splits on ":" dropping empty entries; CNI_ARGS is passed through verbatim', (t) => {
  const env = parseCniEnv({ CNI_COMMAND: 'VERSION', CNI_PATH: ':/opt/cni/bin::/usr/lib/cni:', CNI_ARGS: 'IgnoreUnknown=1;A=b' });
  t.deepEqual(env.path, ['/opt/cni/bin', '/usr/lib/cni']);
  t.is(env.args, 'IgnoreUnknown=1;A=b');
});

test('U-NC-24 several bad variables are all reported in one code 4 message', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: '-c', CNI_NETNS: 'rel', CNI_IFNAME: '..' }), 4,
    'CNI_CONTAINERID: "-c" is not a valid container ID (letters, digits, "_", ".", "-"); ' +
    'CNI_NETNS: "rel" is not an absolute netns path; CNI_IFNAME: ".." is not a valid interface name');
});

test('U-NC-25 variables that are present are validated even for commands that do not need them', (t) => {
  throwsCni(t, () => parseCniEnv({ CNI_COMMAND: 'GC', CNI_IFNAME: 'a/b' }), 4,
    'CNI_IFNAME: "a/b" is not a valid interface name (contains "/", ":" or whitespace)');
});

test('U-NC-89 VERSION ignores CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME, valid or not (libcni probes with "dummy")', (t) => {
  for (const env of [{ CNI_NETNS: 'dummy', CNI_IFNAME: 'dummy', CNI_CONTAINERID: 'dummy', CNI_PATH: 'dummy' }, { CNI_NETNS: '../x', CNI_IFNAME: 'a/b', CNI_CONTAINERID: '-c' }]) {
    t.deepEqual(parseCniEnv({ CNI_COMMAND: 'VERSION', ...env }), {
      command: 'VERSION', containerId: undefined, netns: undefined, ifname: undefined, args: '', path: env.CNI_PATH === undefined ? [] : ['dummy'],
    });
  }
});
