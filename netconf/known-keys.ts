/**
 * A meta plugin's config without the keys its schema does not know, and the keys left out.
 * DEL parses only what it needs: a typo that failed ADD (nothing was done) must not fail DEL
 * too, or the runtime's DEL chain stops before the IPAM's DEL and the address leaks.
 */
export function knownKeysOnly<T extends Record<string, unknown>>(conf: T, shape: Record<string, unknown>): { conf: T; unknown: string[] } {
  const unknown = Object.keys(conf).filter((key) => !(key in shape));
  const known = Object.fromEntries(Object.entries(conf).filter(([key]) => key in shape)) as T;
  return { conf: known, unknown };
}
