import type { IpCommand } from '../netns/ip-batch.ts';
import type { NeighborSpec, RouteSpec, RuleSpec } from './model.ts';

// iproute2 words for each entry. `replace` makes routes and neighbours idempotent; rules have
// no replace, so callers add only those missing (see diff.ts).

export function routeReplace(r: RouteSpec): IpCommand {
  return ['route', 'replace', ...routeWords(r)];
}

export function routeDelete(r: RouteSpec): IpCommand {
  return ['route', 'del', ...routeWords(r)];
}

function routeWords(r: RouteSpec): string[] {
  return [
    r.dst,
    ...(r.via ? ['via', r.via] : []),
    'dev', r.dev,
    ...(r.onlink ? ['onlink'] : []),
    ...(r.scope ? ['scope', r.scope] : []),
    ...(r.src ? ['src', r.src] : []),
    'table', String(r.table),
  ];
}

export function ruleAdd(r: RuleSpec): IpCommand {
  return ['rule', 'add', ...ruleWords(r)];
}

export function ruleDelete(r: RuleSpec): IpCommand {
  return ['rule', 'del', ...ruleWords(r)];
}

function ruleWords(r: RuleSpec): string[] {
  return [...(r.from ? ['from', r.from] : []), ...(r.to ? ['to', r.to] : []), 'lookup', String(r.table), 'pref', String(r.priority)];
}

export function neighborReplace(n: NeighborSpec): IpCommand {
  return ['neigh', 'replace', n.ip, 'lladdr', n.lladdr, 'dev', n.dev, 'nud', 'permanent'];
}

export function neighborDelete(n: NeighborSpec): IpCommand {
  return ['neigh', 'del', n.ip, 'dev', n.dev];
}
