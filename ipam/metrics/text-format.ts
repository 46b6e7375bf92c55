// The Prometheus text format 0.0.4, by hand: a handful of series per process do not justify a
// client-library dependency. Shared by the agent's and the controller's metrics.

/** Value by rendered label set, e.g. `{pool="a"}`. */
export type Series = Map<string, number>;

/** Help texts are constants without backslashes or newlines, so they need no escaping. */
export function family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, lines: string[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines].map((line) => `${line}\n`).join('');
}

export function seriesLines(name: string, series: Series): string[] {
  // Plain code-unit order, not localeCompare: the same output whatever the process locale.
  const keys = [...series.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((key) => `${name}${key} ${number(series.get(key)!)}`);
}

/** `{a="x",b="y"}` with values escaped as the format requires: backslash, double quote, newline. */
export function labels(pairs: [string, string][]): string {
  const escape = (value: string) => value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
  return `{${pairs.map(([key, value]) => `${key}="${escape(value)}"`).join(',')}}`;
}

/** JavaScript's shortest round-trip form is valid Go float syntax, except for the infinities. */
export function number(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
