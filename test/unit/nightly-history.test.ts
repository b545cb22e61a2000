import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GeobenchError } from '../../bench/core/errors.ts';
import { DEFAULT_NIGHTLY_CONFIG, loadNightlyConfig, validateNightlyConfig } from '../../bench/nightly/config.ts';
import { acceptRun, appendRun, emptyIndex, isGoodRun, parseIndex, type HistoryRunRecord } from '../../bench/nightly/history-index.ts';
import { lockHistory, readHistory, rebuildHistory, storeEntryRun, writeHistory } from '../../bench/nightly/history-store.ts';
import { seriesId, seriesKeyOf } from '../../bench/nightly/series-key.ts';
import { fakeResult } from './nightly-fixtures.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-nightly-hist-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function record(runId: string, extra: Partial<HistoryRunRecord> = {}): HistoryRunRecord {
  return { nightlyRunId: runId, entry: 'smoke', kind: 'scenario', dir: `${runId}/smoke`, startedAt: runId, finishedAt: runId, status: 'complete', verdict: 'ok', alarms: [], kpiFailures: 0, accepted: false, commit: null, ...extra };
}

function storeOne(root: string, runId: string): void {
  const src = path.join(tmp, `src-${runId}`);
  fs.mkdirSync(path.join(src, 'plans', 'opt1'), { recursive: true });
  fs.writeFileSync(path.join(src, 'result.json'), JSON.stringify(fakeResult({ runId })));
  fs.writeFileSync(path.join(src, 'plans', 'opt1', 'Q1.json'), '{}');
  const key = seriesKeyOf(fakeResult());
  storeEntryRun(root, src, key, record(runId));
  writeHistory(root, appendRun(fs.existsSync(path.join(root, 'index.json')) ? readHistory(root) : emptyIndex(), key, record(runId)));
}

const throwsGeobench = (fn: () => unknown, pattern: RegExp): void => {
  try {
    fn();
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable('expected an error');
};

test('a new history folder reads as empty; stored runs keep result.json, plans and entry.json', () => {
  const root = path.join(tmp, 'h1');
  assert.equal(readHistory(root).series, {});
  storeOne(root, 'n1');
  storeOne(root, 'n2');
  const index = readHistory(root);
  const series = Object.values(index.series);
  assert.is(series.length, 1);
  assert.equal(series[0]!.runs.map((r) => r.nightlyRunId), ['n1', 'n2']);
  for (const f of ['result.json', 'entry.json', 'plans/opt1/Q1.json']) assert.ok(fs.existsSync(path.join(root, 'n2', 'smoke', f)), f);
  assert.ok(fs.existsSync(path.join(root, 'index.json.bak')), 'previous index kept');
});

test('a corrupt index is a clear error and the history is left untouched', () => {
  const root = path.join(tmp, 'h2');
  storeOne(root, 'n1');
  fs.writeFileSync(path.join(root, 'index.json'), '{"schemaVersion": 1, "tool": "geobench-nightly", "series": ');
  const before = fs.readdirSync(root, { recursive: true }).map(String).sort();
  throwsGeobench(() => readHistory(root), /index\.json is corrupt \(not valid JSON/);
  fs.writeFileSync(path.join(root, 'index.json'), JSON.stringify({ schemaVersion: 1, tool: 'geobench-nightly', updatedAt: 'x', series: { a: { key: {}, runs: [] } } }));
  throwsGeobench(() => readHistory(root), /index\.json is corrupt:\n {2}series\.a\.key\.fingerprint/);
  assert.equal(fs.readdirSync(root, { recursive: true }).map(String).sort(), before);
});

test('a missing index over stored runs is an error; --rebuild-index restores it from entry.json files', () => {
  const root = path.join(tmp, 'h3');
  storeOne(root, 'n1');
  storeOne(root, 'n2');
  fs.rmSync(path.join(root, 'index.json'));
  throwsGeobench(() => readHistory(root), /index\.json is missing, but .* holds 2 stored runs; refusing/);
  const { runs, unreadable } = rebuildHistory(root);
  assert.is(runs, 2);
  assert.equal(unreadable, []);
  assert.equal(Object.values(readHistory(root).series)[0]!.runs.map((r) => r.nightlyRunId), ['n1', 'n2']);
});

test('an index naming a folder that is gone is refused', () => {
  const root = path.join(tmp, 'h4');
  storeOne(root, 'n1');
  fs.rmSync(path.join(root, 'n1'), { recursive: true });
  throwsGeobench(() => readHistory(root), /names n1\/smoke, which does not exist/);
});

test('parseIndex checks the series ids; acceptRun marks a run good', () => {
  const key = seriesKeyOf(fakeResult());
  const index = appendRun(emptyIndex(), key, record('n1', { verdict: 'regression', alarms: ['x'] }));
  assert.ok('index' in parseIndex(JSON.parse(JSON.stringify(index))));
  const renamed = { ...index, series: { wrong: index.series[seriesId(key)] } };
  const bad = parseIndex(renamed);
  assert.ok('problems' in bad && bad.problems[0]!.includes('does not match its id'));
  assert.not.ok(isGoodRun(index.series[seriesId(key)]!.runs[0]!));
  const { index: accepted, marked } = acceptRun(index, 'n1');
  assert.is(marked, 1);
  assert.ok(isGoodRun(accepted.series[seriesId(key)]!.runs[0]!));
});

test('the lock refuses a second live writer and takes over a stale lock', () => {
  const root = path.join(tmp, 'h5');
  const release = lockHistory(root);
  throwsGeobench(() => lockHistory(root), new RegExp(`another geobench nightly \\(pid ${process.pid}\\)`));
  release();
  fs.writeFileSync(path.join(root, '.lock'), '999999999\n');
  lockHistory(root)();
});

test('nightly configuration: the default loads; bad entries are named by path', async () => {
  const config = await loadNightlyConfig(DEFAULT_NIGHTLY_CONFIG);
  assert.ok(config.entries.length >= 1);
  assert.equal(config.entries.map((e) => `${e.kind}:${e.name}`), ['validate:combined', 'scenario:smoke'], 'the combined run, then the smoke mix');
  assert.is(config.detector.minHistory, 3);
  const c = validateNightlyConfig({ entries: [{ kind: 'scenario', name: 'smoke', overrides: { scale: 0.002 } }, { kind: 'validate', name: 'opt2' }], detector: { lookback: 5, minEffect: { p99: 0.3 } } }, 'x.json');
  assert.equal(c.entries.map((e) => e.id), ['smoke', 'validate-opt2']);
  assert.is(c.detector.lookback, 5);
  assert.is(c.detector.minEffect.p99, 0.3);
  assert.is(c.detector.minEffect.p50, 0.1);
  throwsGeobench(() => validateNightlyConfig({ entries: [{ kind: 'scenario', name: 'smoke', overrides: { scale: -1 } }] }, 'x.json'), /entries\.0\.overrides\.scale/);
  throwsGeobench(() => validateNightlyConfig({ entries: [{ kind: 'bench', name: 'smoke' }] }, 'x.json'), /entries\.0\.kind/);
  throwsGeobench(() => validateNightlyConfig({ entries: [{ kind: 'scenario', name: 'smoke' }, { kind: 'scenario', name: 'smoke' }] }, 'x.json'), /'smoke' is used twice/);
  throwsGeobench(() => validateNightlyConfig({ entries: [] }, 'x.json'), /entries/);
});

test.run();
