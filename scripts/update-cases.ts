// Brings test/cases.md in step with the test titles (test/docs/cases.test.ts, D-03, checks
// it): each listed ID gets its test's current title and file, IDs without a test are dropped,
// and new IDs are appended to the section that holds their prefix (or to a section named on
// the command line: --section "Heading" applies to IDs not placed otherwise).
// Usage: node scripts/update-cases.ts [--section "Heading"]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const casesFile = path.join(root, 'test', 'cases.md');
const titlePattern = /\b(?:test|ipamTest|test\.serial|test\.failing)\(\s*([`'"])([A-Z]-(?:[A-Z]{1,2}-?)?\d+) ((?:\\.|(?!\1).)*)\1/g;

const { values } = parseArgs({ options: { section: { type: 'string' } } });

interface Case {
  id: string;
  promise: string;
  file: string;
}

const found = new Map<string, Case>();
for (const entry of readdirSync(path.join(root, 'test'), { withFileTypes: true, recursive: true })) {
  if (!entry.isFile() || !/(\.test|contract)\.ts$/.test(entry.name)) continue;
  const file = path.relative(root, path.join(entry.parentPath, entry.name));
  for (const match of readFileSync(path.join(root, file), 'utf8').matchAll(titlePattern)) {
    const promise = match[3]!.replace(/\[\$\{name\}\] /, '[any store] ').replace(/\\'/g, "'").replace(/\|/g, '\\|');
    found.set(match[2]!, { id: match[2]!, promise, file });
  }
}

const row = (c: Case) => `| ${c.id} | ${c.promise} | \`${c.file}\` |`;
const prefix = (id: string) => id.replace(/\d+$/, '');
const lines = readFileSync(casesFile, 'utf8').split('\n');
const placed = new Set<string>();
const out: string[] = [];
const sectionEnds = new Map<string, number>(); // prefix → index in `out` after its last row
for (const line of lines) {
  const id = /^\| ([A-Z]-[A-Z0-9-]+) \|/.exec(line)?.[1];
  if (id === undefined) {
    out.push(line);
    continue;
  }
  const current = found.get(id);
  if (current === undefined) continue;
  out.push(row(current));
  placed.add(id);
  sectionEnds.set(prefix(id), out.length);
}

const missing = [...found.values()].filter((c) => !placed.has(c.id)).sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
for (const c of missing) {
  const end = sectionEnds.get(prefix(c.id)) ?? sectionEnds.get(c.id.slice(0, 2));
  if (end !== undefined) {
    out.splice(end, 0, row(c));
    for (const [key, value] of sectionEnds) if (value >= end) sectionEnds.set(key, value + 1);
    placed.add(c.id);
  }
}
const unplaced = missing.filter((c) => !placed.has(c.id));
if (unplaced.length > 0) {
  if (values.section === undefined) throw new Error(`no section for ${unplaced.map((c) => c.id).join(', ')}: pass --section "Heading"`);
  out.push(`## ${values.section}`, '', '| ID | promise | file |', '|---|---|---|', ...unplaced.map(row), '');
}
writeFileSync(casesFile, `${out.join('\n').trimEnd()}\n`);
process.stdout.write(`test/cases.md: ${found.size} cases, ${missing.length} new\n`);
