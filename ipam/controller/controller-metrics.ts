import { family, labels, seriesLines, type Series } from '../metrics/text-format.ts';

export interface ControllerMetrics {
  countRelease(reason: string): void;
  countScan(): void;
  setLeader(leading: boolean): void;
  render(): string;
}

export function createControllerMetrics(): ControllerMetrics {
  const releases: Series = new Map();
  let scans = 0;
  let leader = 0;
  return {
    countRelease(reason) {
      const key = labels([['reason', reason]]);
      releases.set(key, (releases.get(key) ?? 0) + 1);
    },
    countScan: () => void scans++,
    setLeader: (leading) => void (leader = leading ? 1 : 0),
    render: () =>
      [
        family('nicpool_gc_releases_total', 'counter', 'Zombie IPs released by GC, by reason.', seriesLines('nicpool_gc_releases_total', releases)),
        family('nicpool_gc_scans_total', 'counter', 'GC passes over every reservation.', [`nicpool_gc_scans_total ${scans}`]),
        family('nicpool_controller_leader', 'gauge', '1 while this controller holds the lease.', [`nicpool_controller_leader ${leader}`]),
      ].join(''),
  };
}
