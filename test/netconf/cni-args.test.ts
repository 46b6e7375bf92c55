import test from '../support/test.ts';
import { parseCniArgs, splitList } from '../../netconf/cni-args.ts';
import { throwsCni } from './cni-assert.ts';

test('U-NC-26 parseCniArgs reads the K8S_* keys Multus sets and ignores unknown keys such as IgnoreUnknown', (t) => {
  const text = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc123;K8S_POD_UID=7f0c-11;MAC=aa:bb';
  t.deepEqual(parseCniArgs(text), {
    K8S_POD_NAMESPACE: 'prod', K8S_POD_NAME: 'web-0', K8S_POD_INFRA_CONTAINER_ID: 'abc123', K8S_POD_UID: '7f0c-11',
  });
});

test('U-NC-27 parseCniArgs reads IP and NICPOOL_IPPOOLS; a value keeps every "=" after the first', (t) => {
  t.deepEqual(parseCniArgs('IP=10.0.0.5,fd00::5;NICPOOL_IPPOOLS=a,b;K8S_POD_NAME=x=y=z'), {
    IP: '10.0.0.5,fd00::5', NICPOOL_IPPOOLS: 'a,b', K8S_POD_NAME: 'x=y=z',
  });
});

test('U-NC-28 parseCniArgs: empty text, empty pairs and an empty value are fine; the last duplicate wins', (t) => {
  t.deepEqual(parseCniArgs(''), {});
  t.deepEqual(parseCniArgs(';;K8S_POD_NAME=a;;'), { K8S_POD_NAME: 'a' });
  t.deepEqual(parseCniArgs('K8S_POD_NAME='), { K8S_POD_NAME: '' });
  t.deepEqual(parseCniArgs('K8S_POD_NAME=a;K8S_POD_NAME=b'), { K8S_POD_NAME: 'b' });
});

test('U-NC-29 a CNI_ARGS pair without "=" is code 4 naming the pair', (t) => {
  throwsCni(t, () => parseCniArgs('K8S_POD_NAMESPACE=prod;K8S_POD_NAME'), 4, 'CNI_ARGS: "K8S_POD_NAME" is not KEY=VALUE');
  throwsCni(t, () => parseCniArgs('garbage'), 4, 'CNI_ARGS: "garbage" is not KEY=VALUE');
});

test('U-NC-30 a CNI_ARGS pair with an empty key ("=x") is code 4 naming the pair', (t) => {
  throwsCni(t, () => parseCniArgs('=x'), 4, 'CNI_ARGS: "=x" is not KEY=VALUE');
});

test('U-NC-31 CNI_ARGS keys named like Object.prototype members are ignored like any unknown key', (t) => {
  t.deepEqual(parseCniArgs('toString=x;constructor=y;hasOwnProperty=z;__proto__=w;K8S_POD_NAME=a'), { K8S_POD_NAME: 'a' });
});

test('U-NC-32 splitList splits on ",", trims, drops empties and treats undefined as empty', (t) => {
  t.deepEqual(splitList(' a, b ,,c ,'), ['a', 'b', 'c']);
  t.deepEqual(splitList(''), []);
  t.deepEqual(splitList(' , '), []);
  t.deepEqual(splitList(undefined), []);
  t.deepEqual(splitList('10.0.0.5'), ['10.0.0.5']);
});

test('U-NC-92 an empty K8S_POD_UID is no UID: the key is left out, as if absent (the last duplicate still wins)', (t) => {
  t.deepEqual(parseCniArgs('K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0;K8S_POD_UID='), { K8S_POD_NAMESPACE: 'prod', K8S_POD_NAME: 'web-0' });
  t.deepEqual(parseCniArgs('K8S_POD_UID=7f0c-11;K8S_POD_UID='), {});
  t.deepEqual(parseCniArgs('K8S_POD_UID=;K8S_POD_UID=7f0c-11'), { K8S_POD_UID: '7f0c-11' });
});
