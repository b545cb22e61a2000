import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { CronExpressionParser } from 'cron-parser';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';

/** docs/examples/nightly-github-actions.yml: parsed with `yaml`, and its gate script run for each exit code. */
interface Step { name?: string; uses?: string; run?: string; if?: string; id?: string; with?: Record<string, unknown>; env?: Record<string, string> }
const file = path.join(PROJECT_ROOT, 'docs', 'examples', 'nightly-github-actions.yml');
const workflow = parse(fs.readFileSync(file, 'utf8')) as { on: { schedule: Array<{ cron: string }> }; jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs)[0]!.steps;
const index = (pred: (s: Step) => boolean, what: string): number => {
  const i = steps.findIndex(pred);
  assert.ok(i >= 0, `no step: ${what}`);
  return i;
};

test('a schedule with a valid cron expression', () => {
  assert.ok(workflow.on.schedule.length >= 1);
  for (const s of workflow.on.schedule) assert.ok(CronExpressionParser.parse(s.cron), s.cron);
});

test('the history is restored before the nightly and saved after it, even when the night failed', () => {
  const restore = index((s) => s.uses?.startsWith('actions/cache/restore@') === true, 'restore the history');
  const run = index((s) => /scripts\/nightly --history "\$HISTORY_DIR"/.test(s.run ?? ''), 'the nightly run with --history');
  const save = index((s) => s.uses?.startsWith('actions/cache/save@') === true, 'save the history');
  assert.ok(restore < run && run < save);
  assert.is(steps[save]!.if, 'always()');
  assert.is(steps[restore]!.with!.path, steps[save]!.with!.path);
  assert.match(String(steps[restore]!.with!['restore-keys']), /^geobench-nightly-history-/);
});

test('nightly.html, summary.md and junit.xml are uploaded as artifacts, also after a failure', () => {
  const upload = steps[index((s) => s.uses?.startsWith('actions/upload-artifact@') === true, 'upload')]!;
  assert.is(upload.if, 'always()');
  for (const f of ['nightly.html', 'summary.md', 'junit.xml']) assert.match(String(upload.with!.path), new RegExp(`/${f.replace('.', '\\.')}$`, 'm'));
});

test('the job fails on exit 1 and 3 (and on codes where nothing was judged), passes on 0', () => {
  const run = steps[index((s) => s.id === 'nightly', 'nightly')]!;
  assert.match(run.run!, /set \+e/, 'the nightly step itself never fails: the gate decides');
  assert.match(run.run!, /exit_code=\$\?/);
  const gate = steps[index((s) => s.env?.EXIT_CODE !== undefined, 'gate')]!;
  assert.is(gate.if, 'always()');
  const exitOf = (code: string): number => spawnSync('bash', ['-c', gate.run!], { env: { ...process.env, EXIT_CODE: code }, encoding: 'utf8' }).status ?? -1;
  assert.is(exitOf('0'), 0);
  assert.is(exitOf('1'), 1);
  assert.is(exitOf('3'), 1);
  assert.is(exitOf('2'), 1);
  assert.is(exitOf(''), 1);
});

test.run();
