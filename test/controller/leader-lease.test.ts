// Leader election (ipam/controller/leader-lease.ts) against the HTTP test API server: expiry is
// judged on the candidate's own clock (how long since it saw the Lease change), never by
// comparing the holder's renewTime with the candidate's clock.
import test from '../support/test.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { startLeaderElection } from '../../ipam/controller/leader-lease.ts';
import { withDeadline } from '../support/deadline.ts';
import { startTestApiServer } from '../support/k8s-api/index.ts';

const namespace = 'kube-system';
const name = 'nicpool-controller';
const hourMs = 3600_000;

test('U-LE-01 a holder whose clock runs an hour behind but still renews keeps the Lease; once it stops renewing, the candidate takes over after the lease duration', async (t) => {
  const api = await startTestApiServer();
  t.teardown(() => api.close());
  const kc = api.kubeConfig();
  const leases = kc.makeApiClient(CoordinationV1Api);
  // The holder's clock is an hour behind: every renewTime it writes looks an hour old.
  const behind = () => new V1MicroTime(Date.now() - hourMs);
  await leases.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { holderIdentity: 'slow-clock', leaseDurationSeconds: 5, renewTime: behind(), leaseTransitions: 1 } } });
  let renewing = true;
  let lastRenewal = Date.now();
  const renewals = (async () => {
    while (renewing) {
      const current = await leases.readNamespacedLease({ namespace, name });
      if (current.spec?.holderIdentity !== 'slow-clock') return;
      await leases.replaceNamespacedLease({ namespace, name, body: { ...current, spec: { ...current.spec, renewTime: behind() } } }).catch(() => undefined);
      lastRenewal = Date.now();
      await delay(200);
    }
  })();

  const lines: string[] = [];
  const election = startLeaderElection(kc, { namespace, name, identity: 'candidate', leaseDurationSeconds: 5, retryPeriodSeconds: 0.25, log: (line) => lines.push(line), onLost: () => t.fail('never led, cannot lose') });
  t.teardown(() => election.stop());
  // Two lease durations of renewals (every 200 ms, well within 5 s on a loaded machine): a
  // candidate comparing renewTime with its own clock would have taken over on its first look.
  await delay(10_000);
  t.false(election.isLeader(), `the renewing holder keeps the Lease (${lines.join('; ')})`);
  t.is((await leases.readNamespacedLease({ namespace, name })).spec?.holderIdentity, 'slow-clock');

  renewing = false;
  await renewals;
  await withDeadline(election.elected, { what: 'the candidate to take over the Lease once the holder stopped renewing', lastSeen: () => lines });
  t.true(Date.now() - lastRenewal >= 5_000, 'not before a full lease duration without a change');
  const lease = await leases.readNamespacedLease({ namespace, name });
  t.like(lease.spec, { holderIdentity: 'candidate', leaseTransitions: 2 });
});

test('U-LE-02 a Lease given up (holder cleared) is taken at once, without waiting for the lease duration', async (t) => {
  const api = await startTestApiServer();
  t.teardown(() => api.close());
  const kc = api.kubeConfig();
  const leases = kc.makeApiClient(CoordinationV1Api);
  await leases.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { holderIdentity: '', leaseDurationSeconds: 60, leaseTransitions: 3 } } });
  const election = startLeaderElection(kc, { namespace, name, identity: 'me', leaseDurationSeconds: 60, retryPeriodSeconds: 0.25, log: () => undefined, onLost: () => t.fail('lost the lease') });
  t.teardown(() => election.stop());
  const started = Date.now();
  await withDeadline(election.elected, { what: 'the candidate to take a free Lease' });
  t.true(Date.now() - started < 60_000, 'well before a lease duration');
  t.true(election.isLeader());
  t.like((await leases.readNamespacedLease({ namespace, name })).spec, { holderIdentity: 'me', leaseTransitions: 4 });
});
