import { neighborDelete, neighborReplace, routeDelete, routeReplace, ruleAdd, ruleDelete } from '../plan/commands.ts';
import type { RoutingState } from '../plan/model.ts';
import { runIpBatch } from './ip-batch.ts';

/**
 * Creates entries: one `ip -batch` per family that has any (rules need the family flag).
 * Order matters: routes before the rules that point at their table, so traffic never meets
 * an empty table.
 */
export async function createEntries(netns: string | undefined, entries: RoutingState): Promise<void> {
  for (const family of [4, 6] as const) {
    const commands = [
      ...entries.neighbors.filter((n) => n.family === family).map(neighborReplace),
      ...entries.routes.filter((r) => r.family === family).map(routeReplace),
      ...entries.rules.filter((r) => r.family === family).map(ruleAdd),
    ];
    await runIpBatch(netns, commands, { family });
  }
}

/** Removes entries (that exist): rules first, so no rule ever points at an emptied table. */
export async function removeEntries(netns: string | undefined, entries: RoutingState): Promise<void> {
  for (const family of [4, 6] as const) {
    const commands = [
      ...entries.rules.filter((r) => r.family === family).map(ruleDelete),
      ...entries.routes.filter((r) => r.family === family).map(routeDelete),
      ...entries.neighbors.filter((n) => n.family === family).map(neighborDelete),
    ];
    await runIpBatch(netns, commands, { family });
  }
}
