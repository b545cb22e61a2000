import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellPasses, markdownTable, type Cell } from '../faults/fault-suite.ts';

const cell = (over: Partial<Cell>): Cell => ({ phase: 'run (measure)', fault: 'SIGINT', expected: 130, code: 130, exitMs: 1200, rerun: null, ...over });

test('a cell passes only with the documented code, an exit within 10 s and a working re-run', () => {
  assert.ok(cellPasses(cell({})));
  assert.ok(cellPasses(cell({ exitMs: 10_000 })));
  assert.not.ok(cellPasses(cell({ exitMs: 10_001 })), 'too slow');
  assert.not.ok(cellPasses(cell({ exitMs: null })), 'no exit');
  assert.not.ok(cellPasses(cell({ code: 70 })), 'wrong code');
  assert.not.ok(cellPasses(cell({ rerun: 'migrate status shows edited' })), 're-run failed');
});

test('the Markdown table: one row per cell, time in seconds, pipes in reasons escaped', () => {
  const md = markdownTable([cell({}), cell({ fault: 'postmaster SIGKILL', expected: 1, code: 70, exitMs: 280, rerun: 'exit 1 | boom\nmore', note: 'stderr: x' })]);
  assert.equal(md.split('\n'), [
    '| phase | fault | documented exit | exit | fault → exit | re-run works | verdict |',
    '|---|---|---:|---:|---:|---|---|',
    '| run (measure) | SIGINT | 130 | 130 | 1.20 s | yes | ok |',
    '| run (measure) | postmaster SIGKILL | 1 | 70 | 0.28 s | no: exit 1 \\| boom | FAIL (stderr: x) |',
  ]);
});

test.run();
