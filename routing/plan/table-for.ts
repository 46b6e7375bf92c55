import { fnv1a } from '../../netconf/fnv1a.ts';

/**
 * The table of a pod NIC, from its name alone (never from a count of links, which changes as
 * NICs come and go): base + the name's trailing number below 100 (eth0 → base, net1 → base + 1,
 * Multus' naming); any other name hashes into base + 100 … base + 999. The kernel's own tables
 * (253 default, 254 main, 255 local) are never used: a name landing there moves up by 1000.
 */
export function tableFor(ifname: string, base: number): number {
  const digits = /(\d+)$/.exec(ifname);
  const number = digits ? Number(digits[1]) : Number.NaN;
  const table = number < 100 ? base + number : base + 100 + (fnv1a(ifname) % 900);
  return table >= 253 && table <= 255 ? table + 1000 : table;
}
