import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GeobenchError } from '../../bench/core/errors.ts';
import { insideFolder, loadRunFolder } from '../../bench/report/inputs.ts';
import { writeReport } from '../../bench/report/write-report.ts';
import { fixtureResult, fixtureValidation, writeFixtureFolder } from './report-fixture.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-report-in-'));
  dirs.push(d);
  return d;
};
test.after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function throwsGeobench(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.is((err as GeobenchError).exitCode, 1);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable('expected a GeobenchError');
}

test('a folder with neither result.json nor validation.json: clear error', () => {
  const d = tmp();
  throwsGeobench(() => loadRunFolder(d), /holds neither result\.json nor validation\.json/);
  throwsGeobench(() => loadRunFolder(path.join(d, 'missing')), /is not a folder/);
});

test('corrupt JSON: the message names the file', () => {
  const d = tmp();
  fs.writeFileSync(path.join(d, 'result.json'), '{"schemaVersion": 1, "tool": "geob');
  throwsGeobench(() => loadRunFolder(d), new RegExp(`${path.join(d, 'result.json').replace(/[.]/g, '\\.')} is not valid JSON`));
  const v = tmp();
  fs.writeFileSync(path.join(v, 'validation.json'), 'not json');
  throwsGeobench(() => loadRunFolder(v), /validation\.json is not valid JSON/);
  fs.writeFileSync(path.join(v, 'validation.json'), '{"schemaVersion": 2}');
  throwsGeobench(() => loadRunFolder(v), /validation\.json is not a geobench validation file/);
});

test('a validation-only folder reports its checks; a missing run result is a warning, not an error', async () => {
  const d = tmp();
  fs.writeFileSync(path.join(d, 'validation.json'), JSON.stringify(fixtureValidation('result.json')));
  const inputs = loadRunFolder(d);
  assert.is(inputs.result, null);
  assert.match(inputs.problems[0]!, /names result\.json as its run result, but that file is missing/);
  const files = await writeReport(d);
  assert.equal(files.charts.map((c) => path.basename(c)), ['kpi-table.png']);
  const page = fs.readFileSync(files.html, 'utf8');
  assert.match(page, /OPT2_COLUMNAR_STORAGE_VALIDATOR/);
  assert.match(page, /<td class="achieved">not measured<\/td>/);
});

test('plan files: read, missing, corrupt, or outside the folder — never fatal', () => {
  const d = writeFixtureFolder();
  dirs.push(d);
  const r = fixtureResult();
  const variants = r.variants.map((v, i) => ({ ...v, plans: i === 0 ? { Q1: v.plans.Q1!, W1: { file: '../../etc/passwd', summary: null } } : { Q1: { file: 'plans/opt1/missing.json', summary: null }, W1: { file: 'plans/opt1/bad.json', summary: null } } }));
  fs.writeFileSync(path.join(d, 'plans/opt1/bad.json'), '{');
  fs.writeFileSync(path.join(d, 'result.json'), JSON.stringify({ ...r, variants }));
  const plans = loadRunFolder(d).plans;
  assert.equal(plans.map((p) => [p.variant, p.queryType, p.error === null ? 'ok' : p.error.replace(/:.*/, '')]), [
    ['baseline', 'Q1', 'ok'],
    ['baseline', 'W1', 'plan file ../../etc/passwd is outside the run folder; not read'],
    ['opt1', 'Q1', 'plan file plans/opt1/missing.json is missing'],
    ['opt1', 'W1', 'plans/opt1/bad.json is not valid JSON'],
  ]);
  assert.is(insideFolder('/a/b', 'c/d.json'), '/a/b/c/d.json');
  assert.is(insideFolder('/a/b', '../b2/x'), null);
});

test('events from events.json land on the charts; invalid ones become warnings', async () => {
  const d = writeFixtureFolder();
  dirs.push(d);
  fs.writeFileSync(path.join(d, 'events.json'), JSON.stringify([{ at: 1.5, label: 'VACUUM geometrias', variant: 'opt1' }, { at: 'soon', label: 'bad' }]));
  const files = await writeReport(d);
  const page = fs.readFileSync(files.html, 'utf8');
  assert.match(page, /<td>VACUUM geometrias<\/td><td>opt1<\/td><td>all<\/td><td>marked on 2 segment\(s\)<\/td>/);
  assert.match(page, /events\.json: events\[1\] needs &quot;at&quot;/);
});

test('re-running the report replaces its files and removes charts it no longer draws', async () => {
  const d = writeFixtureFolder();
  dirs.push(d);
  fs.mkdirSync(path.join(d, 'charts'));
  fs.writeFileSync(path.join(d, 'charts', 'latency-spectrum-Q9.png'), 'stale');
  fs.writeFileSync(path.join(d, 'charts', 'mine.png'), 'not ours');
  const files = await writeReport(d);
  const names = fs.readdirSync(path.join(d, 'charts')).sort();
  assert.not.ok(names.includes('latency-spectrum-Q9.png'));
  assert.ok(names.includes('mine.png'));
  assert.is(files.charts.length, 8);
  assert.not.ok(fs.readdirSync(d).some((f) => f.includes('.tmp-')), 'no temp files left');
});

test.run();
