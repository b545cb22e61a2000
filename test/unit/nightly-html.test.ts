import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_DETECTOR } from '../../bench/nightly/detector.ts';
import { escapeHtml, escapeMarkdown, escapeXml } from '../../bench/output/escape.ts';
import { markdownFence } from '../../bench/output/markdown.ts';
import { appendRun, emptyIndex, selectComparable, type HistoryRunRecord } from '../../bench/nightly/history-index.ts';
import { renderHtml } from '../../bench/nightly/html-page.ts';
import { errorEntry, judgeEntry, type NightlyReport } from '../../bench/nightly/judgement.ts';
import { renderMarkdown } from '../../bench/nightly/summary-markdown.ts';
import { seriesKeyOf } from '../../bench/nightly/series-key.ts';
import { trendChartSvg } from '../../bench/nightly/svg-chart.ts';
import { nightlyReporters } from '../../bench/nightly/outputs.ts';
import { parseNightlyReport } from '../../bench/formats/nightly-judgement.ts';
import { renderAll } from '../../bench/output/reporter.ts';
import { fakeResult } from './nightly-fixtures.ts';

const XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>';

test('escapeHtml / escapeXml / escapeMarkdown', () => {
  assert.is(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.is(escapeXml('a\u0000b\u001Fc\td\r'), 'a\uFFFDb\uFFFDc\td&#13;');
  assert.is(escapeXml("it's"), 'it&apos;s');
  assert.is(escapeMarkdown('a|b *c* <d>\nnext'), 'a\\|b \\*c\\* &lt;d&gt; next');
  assert.is(markdownFence('x ``` y', 'diff'), '````diff\nx ``` y\n````');
});

function record(runId: string, startedAt: string): HistoryRunRecord {
  return { nightlyRunId: runId, entry: 'smoke', kind: 'scenario', dir: `${runId}/smoke`, startedAt, finishedAt: startedAt, status: 'complete', verdict: 'ok', alarms: [], kpiFailures: 0, accepted: false, commit: null };
}

function evilReport(): NightlyReport {
  const key = seriesKeyOf(fakeResult());
  let index = emptyIndex();
  const stored = new Map();
  for (let i = 0; i < 4; i++) {
    index = appendRun(index, key, record(`n${i}`, `2026-01-0${i + 1}`));
    stored.set(`n${i}`, { result: fakeResult({ runId: `n${i}`, noise: 0.02, label: XSS }), checks: null });
  }
  const current = fakeResult({ runId: XSS, noise: 0.02, label: XSS, errorRate: 0.3, factors: { 'opt1/Q1/p50': 4 }, shapes: { 'opt1/Q1': 'Limit(Seq Scan on <b onmouseover=alert>)' } });
  const judged = judgeEntry({ entry: 'smoke', kind: 'scenario', name: 'smoke', runId: XSS, startedAt: '2026-01-09', key, current: { result: current, checks: null }, comparable: selectComparable(index, key, 'smoke', 10), stored, options: DEFAULT_DETECTOR, seconds: 5 });
  const broken = errorEntry('b', 'scenario', XSS, 'x', `failed: ${XSS}`, 1);
  return { kind: 'nightly', title: XSS, runId: 'r', startedAt: '2026-01-09T00:00:00Z', finishedAt: '2026-01-09T00:01:00Z', machine: XSS, commit: XSS, configFile: XSS, planChange: 'fail', kpi: 'fail', detector: DEFAULT_DETECTOR, entries: [judged, broken] };
}

test('nightly HTML: every value from results, scenarios and errors is escaped; the page is self-contained', () => {
  const html = renderHtml(evilReport());
  assert.not.ok(html.includes('<script'), 'no script element');
  assert.not.ok(html.includes('<img'), 'no injected element');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'the text is shown escaped');
  // Self-contained: no external resource, inline CSS, inline SVG charts.
  assert.not.ok(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i.test(html), 'no external URL');
  assert.not.ok(/<link\b/i.test(html));
  assert.match(html, /<style>/);
  assert.match(html, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  // The regression and the plan change are on the page, with the diff.
  assert.match(html, /Regressions/);
  assert.match(html, /opt1 · Q1 · p50/);
  assert.match(html, /<span class="add">\+ {3}Seq Scan on &lt;b onmouseover=alert&gt;<\/span>/);
  assert.match(html, /<span class="del">- {3}Index Scan using geometrias_geom_gist on geometrias<\/span>/);
});

test('Markdown summary: escaped, with the verdict and a diff block', () => {
  const md = renderMarkdown(evilReport());
  const prose = md.replace(/```diff\n[\s\S]*?\n```/g, '');
  assert.not.ok(/<(script|img|b)\b/.test(prose), 'no raw tag outside code blocks (inside them Markdown shows text verbatim)');
  assert.match(prose, /&lt;script&gt;/);
  assert.match(md, /^# geobench nightly r — BROKEN RUN/);
  assert.match(md, /```diff\n/);
  assert.match(md, /### Regressions/);
  assert.match(md, /\*\*FAIL\*\*/);
});

test('trend chart SVG: current run highlighted, alarm line, escaped title', () => {
  const svg = trendChartSvg({
    title: '<t>',
    unit: 'µs',
    status: 'regression',
    baseline: 1000,
    alarmAt: 1300,
    points: [
      { runId: 'a', startedAt: '1', value: 1000, role: 'baseline' },
      { runId: 'b', startedAt: '2', value: 1100, role: 'excluded' },
      { runId: '<c>', startedAt: '3', value: 2000, role: 'current' },
    ],
  });
  assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>'));
  assert.match(svg, /&lt;t&gt;/);
  assert.match(svg, /r="5" fill="#c0392b"/);
  assert.match(svg, /alarm at 1\.3 ms/);
  assert.match(svg, /&lt;c&gt;: 2 ms \(this run\)/);
  assert.not.ok(svg.includes('<c>'));
});

test('nightly reporters: one file per format; the JSON judgement reads back through its format', () => {
  const report = evilReport();
  const files = renderAll(report, nightlyReporters('nightly'));
  assert.equal(files.map((f) => `${f.format}:${f.name}`), ['html:nightly.html', 'markdown:summary.md', 'junit:junit.xml', 'json:nightly.json']);
  const json = files.find((f) => f.format === 'json')!;
  const back = parseNightlyReport(JSON.parse(String(json.data)), 'nightly.json');
  assert.equal(back, JSON.parse(JSON.stringify(report)));
  assert.throws(() => parseNightlyReport({ ...JSON.parse(String(json.data)), planChange: 'maybe' }, 'x.json'), /x\.json is not a geobench nightly\/compare judgement:\n {2}planChange:/);
});

test.run();
