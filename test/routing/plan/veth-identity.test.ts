import test from '../../support/test.ts';
import { chooseHostVeth, findHostVeth, hostVethCandidates, hostVethName, vethAlias, vethMac } from '../../../routing/plan/veth-identity.ts';

const id = 'pod-a';

test('U-RT-70 the node-side names: the container ID\'s hash first, then 7 more, all distinct "np" + 8 hex digits', (t) => {
  const names = hostVethCandidates(id);
  t.is(names.length, 8);
  t.is(names[0], hostVethName(id));
  t.is(new Set(names).size, 8);
  for (const name of names) t.regex(name, /^np[0-9a-f]{8}$/);
  t.deepEqual(hostVethCandidates(id), names, 'deterministic');
});

test('U-RT-71 the pod\'s own node end is found by its alias, whichever candidate it took; a link of another pod is never ours', (t) => {
  const [first, second] = hostVethCandidates(id);
  const other = { ifname: first!, ifalias: vethAlias('pod-b'), address: '0e:00:00:00:00:01' };
  t.is(findHostVeth(id, [other, { ifname: second!, ifalias: vethAlias(id) }]), second);
  t.is(findHostVeth(id, [other]), undefined);
  t.is(findHostVeth(id, [{ ifname: first! }]), undefined, 'a name match alone is not ours');
});

test('U-RT-72 a node end without an alias (made before aliases, or by a killed ADD) is ours only with the pod\'s host MAC', (t) => {
  const [first] = hostVethCandidates(id);
  t.is(findHostVeth(id, [{ ifname: first!, address: vethMac(id, 'host') }]), first);
  t.is(findHostVeth(id, [{ ifname: first!, address: vethMac('pod-b', 'host') }]), undefined);
});

test('U-RT-73 chooseHostVeth: the pod\'s own, else the first name no link uses, else none', (t) => {
  const names = hostVethCandidates(id);
  t.is(chooseHostVeth(id, []), names[0]);
  t.is(chooseHostVeth(id, [{ ifname: names[0]! }, { ifname: names[1]! }]), names[2]);
  t.is(chooseHostVeth(id, [{ ifname: names[0]! }, { ifname: names[3]!, ifalias: vethAlias(id) }]), names[3]);
  t.is(chooseHostVeth(id, names.map((ifname) => ({ ifname }))), undefined);
});
