/**
 * The table of a pod NIC, from its name alone (never from a count of links, which changes as
 * NICs come and go): base + the name's trailing number (eth0 → base, net1 → base + 1, Multus'
 * naming); a name without one hashes into base + 100 … base + 999.
 */
export function tableFor(ifname: string, base: number): number {
  const digits = /(\d{1,2})$/.exec(ifname);
  if (digits) return base + Number(digits[1]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < ifname.length; i++) hash = Math.imul(hash ^ ifname.charCodeAt(i), 0x01000193) >>> 0;
  return base + 100 + (hash % 900);
}
