/**
 * The architecture rules of issue 16, checked on the real source tree: nothing outside bench/cli/ imports
 * bench/cli/, no import cycle between the folders of bench/, no source file over 400 lines and no function
 * over 120 lines. GEOBENCH_ARCH_ROOT points the test at another bench/ folder (e.g. an older checkout).
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { folderCycles, folderEdges, importsInto, readSourceTree, type SourceFileFacts } from '../helpers/source-structure.ts';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 120;
const root = path.resolve(process.env.GEOBENCH_ARCH_ROOT ?? path.join(PROJECT_ROOT, 'bench'));
const files = readSourceTree(root);

const edgesOf = (pairs: Array<[string, string[]]>): Map<string, Map<string, string>> =>
  new Map(pairs.map(([from, tos]) => [from, new Map(tos.map((to) => [to, `${from} -> ${to}`]))]));

test('cycle finder: finds a two-folder and a three-folder cycle, not a chain', () => {
  assert.equal(folderCycles(edgesOf([['a', ['b']], ['b', ['c']]])), []);
  assert.equal(folderCycles(edgesOf([['a', ['b']], ['b', ['a']]])), [['a', 'b']]);
  assert.equal(folderCycles(edgesOf([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
});

test('the tree was read (guards against an empty or wrong root)', () => {
  assert.ok(files.length > 50, `only ${files.length} source files under ${root}`);
  assert.ok(files.some((f) => f.file === 'cli/main.ts'), `no cli/main.ts under ${root}`);
});

test('no module outside bench/cli/ imports from bench/cli/', () => {
  const offending = importsInto(files, 'cli');
  assert.equal(offending.length, 0, `${offending.length} imports of bench/cli/ from outside it:\n  ${offending.join('\n  ')}`);
});

test('no import cycle between the folders of bench/', () => {
  const edges = folderEdges(files);
  const cycles = folderCycles(edges);
  const explain = cycles.map((group) => {
    const inside = group.flatMap((from) => [...(edges.get(from) ?? new Map<string, string>())]
      .filter(([to]) => group.includes(to)).map(([to, example]) => `    ${from} -> ${to}   (e.g. ${example})`));
    return `  cycle ${group.join(' / ')}:\n${inside.join('\n')}`;
  });
  assert.equal(cycles.length, 0, `${cycles.length} import cycle(s) between folders:\n${explain.join('\n')}`);
});

const byLinesDesc = (a: { lines: number }, b: { lines: number }): number => b.lines - a.lines;

test(`no source file over ${MAX_FILE_LINES} lines`, () => {
  const sorted = [...files].sort(byLinesDesc);
  const over = sorted.filter((f) => f.lines > MAX_FILE_LINES);
  const largest = sorted[0] as SourceFileFacts;
  assert.equal(over.map((f) => `${f.file} (${f.lines})`), [],
    `files over ${MAX_FILE_LINES} lines; largest: ${largest.file} with ${largest.lines} lines`);
});

test(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
  const all = files.flatMap((f) => f.functions.map((fn) => ({ where: `${f.file}:${fn.line} ${fn.name}`, lines: fn.lines }))).sort(byLinesDesc);
  const over = all.filter((fn) => fn.lines > MAX_FUNCTION_LINES);
  const largest = all[0];
  assert.equal(over.map((fn) => `${fn.where} (${fn.lines})`), [],
    `functions over ${MAX_FUNCTION_LINES} lines; largest: ${largest?.where} with ${largest?.lines} lines`);
});

test.run();
