import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { readResult } from '../../bench/result-file/result-file.ts';

/**
 * A real run (the real CLI, the embedded cluster) whose report.html is opened in headless
 * Chromium: the browser's DOM has the KPI table and every chart image, and a screenshot renders.
 * Plain Chromium flags, no driver library: --dump-dom prints the DOM after load, --screenshot
 * writes a PNG.
 */
const CHROMIUM = process.env.GEOBENCH_CHROMIUM ?? '/usr/bin/chromium';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-report-browser-'));
const out = path.join(tmp, 'smoke');

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function chromium(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup installs the Debian package chromium`);
  const profile = fs.mkdtempSync(path.join(tmp, 'chromium-profile-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-dev-shm-usage', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

test('run writes a report; report re-creates it; Chromium shows the KPI table and every chart', async () => {
  await testDatabase();
  const started = Date.now();
  const run = await runCli(['run', 'smoke', '--scale', '0.002', '--duration', '2', '--warmup', '0', '--repeat', '1', '--out', out]);
  assert.is(run.code, 0, run.stderr.slice(-2000));
  assert.match(run.stdout, new RegExp(`report: ${path.join(out, 'report.html').replace(/[.]/g, '\\.')}`));
  const result = readResult(out);
  for (const f of ['report.html', 'summary.md', 'charts/kpi-table.png', 'charts/throughput-over-time.png', 'charts/storage-sizes.png', 'charts/latency-spectrum-all.png']) {
    assert.ok(fs.existsSync(path.join(out, f)), `run wrote ${f}`);
  }

  const report = await runCli(['report', out]);
  assert.is(report.code, 0, report.stderr);
  const listed = report.stdout.trim().split('\n');
  assert.is(listed[0], path.join(out, 'report.html'));
  assert.is(listed[1], path.join(out, 'summary.md'));
  const charts = listed.slice(2);
  // KPI picture + a spectrum per query type (8 queries + the write + all) + over time per variant + throughput + sizes.
  assert.is(charts.length, 1 + 10 + 2 + 1 + 1, charts.join('\n'));

  const url = `file://${path.join(out, 'report.html')}`;
  const { stdout: dom } = await chromium(['--dump-dom', url]);
  assert.match(dom, /<table class="kpi" id="kpi-table">/);
  const kpiRows = dom.match(/<table class="kpi" id="kpi-table">[\s\S]*?<\/table>/)![0].match(/<tr class="verdict-/g) ?? [];
  assert.is(kpiRows.length, result.kpis.length, 'one row per KPI');
  assert.match(dom, /✓ pass/);
  const images = [...dom.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)];
  assert.is(images.length, charts.length, 'every chart is inlined as an <img>');
  for (const [, b64] of images) assert.equal([...Buffer.from(b64!, 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.match(dom, /<details class="plan" data-variant="opt1" data-query="Q1">/);
  assert.match(dom, /\n  -&gt;  Index Scan using /, 'plans shown as text trees (the arrow escaped like any text)');
  assert.not.match(dom, /(src|href)="https?:/, 'nothing loaded from the network');

  const shot = path.join(tmp, 'report.png');
  await chromium([`--screenshot=${shot}`, '--window-size=1280,2000', url]);
  const png = fs.readFileSync(shot);
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 2000]);
  assert.ok(png.length > 50_000, `a rendered page, not a blank one (${png.length} bytes)`);
  if (process.env.GEOBENCH_KEEP_SCREENSHOT) fs.copyFileSync(shot, process.env.GEOBENCH_KEEP_SCREENSHOT);
  process.stderr.write(`  report-browser: run + report + chromium in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

test('report on a folder with no result files, or a corrupt one: exit 1 with a clear message', async () => {
  const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
  const none = await runCli(['report', empty]);
  assert.is(none.code, 1);
  assert.match(none.stderr, /holds neither result\.json nor validation\.json/);
  fs.writeFileSync(path.join(empty, 'validation.json'), '{"checks": [');
  const corrupt = await runCli(['report', empty]);
  assert.is(corrupt.code, 1);
  assert.match(corrupt.stderr, new RegExp(`${path.join(empty, 'validation.json').replace(/[.]/g, '\\.')} is not valid JSON`));
  assert.not.ok(fs.existsSync(path.join(empty, 'report.html')));
  const usage = await runCli(['report']);
  assert.is(usage.code, 2);
});

test.run();
