import { neighborDelete, neighborReplace, routeDelete, routeReplace, ruleAdd, ruleDelete } from '../plan/commands.ts';
import type { RoutingState } from '../plan/model.ts';
import { runIpBatch, type IpCommand } from './ip-batch.ts';

/**
 * Creates entries: one `ip -batch` per family that has any (rules need the family flag), in
 * turn (see readNetns on parallel spawns). `first` commands (links to create or bring up) open
 * the IPv4 batch. Within a batch, routes come before the rules that point at their table, so
 * traffic never meets an empty table.
 */
export async function createEntries(netns: string | undefined, entries: RoutingState, first: readonly IpCommand[] = []): Promise<void> {
  const batch = (family: 4 | 6) => [
    ...entries.neighbors.filter((n) => n.family === family).map(neighborReplace),
    ...entries.routes.filter((r) => r.family === family).map(routeReplace),
    ...entries.rules.filter((r) => r.family === family).map(ruleAdd),
  ];
  await runIpBatch(netns, [...first, ...batch(4)], { family: 4 });
  await runIpBatch(netns, batch(6), { family: 6 });
}

/** Removes entries (that exist): rules first, so none points at an emptied table. */
export async function removeEntries(netns: string | undefined, entries: RoutingState): Promise<void> {
  const batch = (family: 4 | 6) => [
    ...entries.rules.filter((r) => r.family === family).map(ruleDelete),
    ...entries.routes.filter((r) => r.family === family).map(routeDelete),
    ...entries.neighbors.filter((n) => n.family === family).map(neighborDelete),
  ];
  await runIpBatch(netns, batch(4), { family: 4 });
  await runIpBatch(netns, batch(6), { family: 6 });
}
