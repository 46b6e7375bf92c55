import test from '../support/test.ts';
import { ObjectName } from '../../netconf/names.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

test('U-NC-87 ObjectName accepts DNS-1123 subdomains up to 253 characters and rejects the rest naming the value', (t) => {
  for (const name of ['a', 'pool-a', 'pool.a-1', '0a', 'a'.repeat(253)]) t.is(parseOrThrow(ObjectName, name), name);
  for (const name of ['Pool', 'pool_a', '-a', 'a-', '.a', 'a.', '']) {
    throwsCni(t, () => parseOrThrow(ObjectName, name), 7, `(root): ${JSON.stringify(name)} is not a valid Kubernetes object name`);
  }
  throwsCni(t, () => parseOrThrow(ObjectName, 'a'.repeat(254), { root: 'metadata.name' }), 7,
    `metadata.name: "${'a'.repeat(99)}… (256 chars) is longer than 253 characters`); // echoed values are cut (parse.ts)
});
