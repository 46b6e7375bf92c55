// test/cases.md is the promise list; this keeps it and the test titles in step.
import test from '../support/test.ts';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const idPattern = /\b(?:test|ipamTest|test\.serial|test\.failing)\(\s*[`'"]([A-Z]-(?:[A-Z]{1,2}-?)?\d+) /g;
/** Every test title, as written: starts with an ID, or with `${…}` where a loop supplies it. */
const titlePattern = /\b(?:test|ipamTest|test\.serial|test\.failing)\(\s*([`'"])(.{0,60})/g;
const startsWithId = /^(?:[A-Z]-(?:[A-Z]{1,2}-?)?\d+ |\$\{)/;

async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && /\.(test|contract)\.ts$|contract\.ts$/.test(entry.name)).map((entry) => path.join(entry.parentPath, entry.name));
}

test('D-03 every test has an ID, every test ID is listed in test/cases.md, every listed ID names a test, and no ID names two', async (t) => {
  const inTitles = new Set<string>();
  const twice = new Set<string>();
  const withoutId: string[] = [];
  for (const file of await testFiles(path.join(root, 'test'))) {
    const text = await readFile(file, 'utf8');
    for (const [, , title] of text.matchAll(titlePattern)) {
      if (!startsWithId.test(title!)) withoutId.push(`${path.relative(root, file)}: ${title}`);
    }
    for (const match of text.matchAll(idPattern)) {
      if (inTitles.has(match[1]!)) twice.add(match[1]!);
      inTitles.add(match[1]!);
    }
  }
  t.deepEqual(withoutId, [], 'tests without an ID');
  t.deepEqual([...twice].sort(), [], 'IDs used by two tests');
  const cases = await readFile(path.join(root, 'test', 'cases.md'), 'utf8');
  const listed = new Set([...cases.matchAll(/^\| ([A-Z]-[A-Z0-9-]+) \|/gm)].map((match) => match[1]!));
  t.true(inTitles.size > 100, `found ${inTitles.size} IDs in test titles`);
  t.deepEqual([...inTitles].filter((id) => !listed.has(id)).sort(), [], 'IDs missing from test/cases.md');
  t.deepEqual([...listed].filter((id) => !inTitles.has(id)).sort(), [], 'IDs in test/cases.md without a test');
});
