// client-node's makeInformer (ListWatch) against the double: list, then
// watch; and recovery from a 410 by relisting.
import test from '../../support/test.ts';
import { makeInformer } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { withDeadline } from '../../support/deadline.ts';
import { setup } from './helpers.ts';

const pod = (name: string): V1Pod => ({ metadata: { name, namespace: 'default' }, spec: { containers: [] } });

// Resolves with the first object the informer reports as added under `name`; fails at the wait deadline.
function added(informer: { on(verb: 'add', cb: (o: V1Pod) => void): void }, name: string): Promise<V1Pod> {
  return withDeadline(new Promise((resolve) => informer.on('add', (o) => o.metadata?.name === name && resolve(o))), { what: `the informer to report pod ${name} added` });
}

test('A-17 an informer lists existing objects, then its watch sees a later create', async (t) => {
  const { core, kc, api } = await setup(t);
  api.objects.seed('pods', pod('existing'));
  const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
  t.teardown(() => informer.stop());
  const sawExisting = added(informer, 'existing');
  const sawLater = added(informer, 'later');
  await informer.start();
  await sawExisting;
  await core.createNamespacedPod({ namespace: 'default', body: pod('later') });
  const later = await sawLater;
  t.is(later.metadata?.namespace, 'default');
  t.deepEqual(informer.list('default').map((p) => p.metadata?.name).sort(), ['existing', 'later']);
  t.is(api.metrics.count('list', 'pods'), 1);
  t.is(api.metrics.count('watch', 'pods'), 1);
});

test('A-18 an informer whose watch drops and whose resourceVersion expired relists (410 path)', async (t) => {
  const { core, kc, api } = await setup(t);
  const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
  t.teardown(() => informer.stop());
  const connected = withDeadline(new Promise<void>((resolve) => informer.on('connect', () => resolve())), { what: 'the informer to connect' });
  await informer.start();
  await connected;
  const sawMissed = added(informer, 'missed');
  // Drop the stream, forget history, and change state while the informer is
  // away: only a relist after the 410 can reveal `missed`.
  api.closeWatches();
  api.objects.seed('pods', pod('missed'));
  api.compactHistory();
  await sawMissed;
  t.is(api.metrics.count('list', 'pods'), 2);
});
