import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_DETECTOR } from '../../bench/nightly/detector.ts';
import { appendRun, emptyIndex, selectComparable, type HistoryRunRecord } from '../../bench/nightly/history-index.ts';
import { errorEntry, judgeEntry, type NightlyReport } from '../../bench/nightly/judgement.ts';
import { renderJunit } from '../../bench/nightly/junit.ts';
import { seriesKeyOf } from '../../bench/nightly/series-key.ts';
import { fakeResult } from './nightly-fixtures.ts';

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

/** A strict little XML reader for the test: well-formedness, attributes, entities. Throws on any error. */
function parseXml(xml: string): XmlNode {
  let pos = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (!decl) throw new Error('missing XML declaration');
  pos = decl[0].length;
  const checkText = (t: string, where: string): string => {
    if (/[<]/.test(t)) throw new Error(`raw < in ${where}`);
    const stripped = t.replace(ENTITY, '');
    if (stripped.includes('&')) throw new Error(`bare & in ${where}: ${t.slice(0, 80)}`);
    if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(t)) throw new Error(`invalid control character in ${where}`);
    return t.replace(ENTITY, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e as 'amp'] ?? String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1))));
  };
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  while (pos < xml.length) {
    if (xml.startsWith('</', pos)) {
      const end = xml.indexOf('>', pos);
      const name = xml.slice(pos + 2, end);
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
      pos = end + 1;
    } else if (xml[pos] === '<') {
      const m = /^<([A-Za-z][\w.-]*)((?:\s+[A-Za-z][\w.-]*="[^"]*")*)\s*(\/?)>/.exec(xml.slice(pos));
      if (!m) throw new Error(`bad tag at ${pos}: ${xml.slice(pos, pos + 60)}`);
      const attrs: Record<string, string> = {};
      for (const a of m[2]!.matchAll(/([A-Za-z][\w.-]*)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1]!] = checkText(a[2]!, `attribute ${a[1]}`);
      }
      const node: XmlNode = { name: m[1]!, attrs, children: [], text: '' };
      stack[stack.length - 1]!.children.push(node);
      if (!m[3]) stack.push(node);
      pos += m[0].length;
    } else {
      const next = xml.indexOf('<', pos);
      const t = xml.slice(pos, next === -1 ? xml.length : next);
      stack[stack.length - 1]!.text += checkText(t, 'text');
      pos = next === -1 ? xml.length : next;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('not exactly one root element');
  return root.children[0]!;
}

function record(runId: string, startedAt: string): HistoryRunRecord {
  return { nightlyRunId: runId, entry: 'smoke', kind: 'scenario', dir: `${runId}/smoke`, startedAt, finishedAt: startedAt, status: 'complete', verdict: 'ok', alarms: [], kpiFailures: 0, accepted: false, commit: null };
}

const EVIL = 'errors <b>&"quoted"\' \u0001';

function sampleReport(): NightlyReport {
  const key = seriesKeyOf(fakeResult());
  let index = emptyIndex();
  const stored = new Map();
  for (let i = 0; i < 5; i++) {
    index = appendRun(index, key, record(`n${i}`, `2026-01-0${i + 1}`));
    stored.set(`n${i}`, { result: fakeResult({ runId: `n${i}`, noise: 0.02, label: EVIL }), checks: null });
  }
  const current = fakeResult({ runId: 'now', noise: 0.02, label: EVIL, errorRate: 0.5, factors: { 'opt1/Q3/p99': 3 }, shapes: { 'opt1/Q3': 'Limit(Sort(Seq Scan on geometrias))' } });
  const judged = judgeEntry({ entry: 'smoke', kind: 'scenario', name: 'smoke', runId: 'now', startedAt: '2026-01-09', key, current: { result: current, checks: null }, comparable: selectComparable(index, key, 'smoke', 10), stored, options: DEFAULT_DETECTOR, seconds: 12.5 });
  const fresh = judgeEntry({ entry: 'fresh', kind: 'scenario', name: 'smoke', runId: 'now2', startedAt: '2026-01-09', key, current: { result: fakeResult(), checks: null }, comparable: selectComparable(emptyIndex(), key, 'fresh', 10), stored: new Map(), options: DEFAULT_DETECTOR, seconds: 3 });
  const broken = errorEntry('broken<entry>', 'validate', 'combined', 'now3', 'database said: relation "x" does not exist & <oops>', 0.5);
  return { kind: 'nightly', title: 'test', runId: '20260109T000000Z-nightly', startedAt: '2026-01-09T00:00:00.000Z', finishedAt: '2026-01-09T00:10:00.000Z', machine: null, commit: null, configFile: null, planChange: 'fail', kpi: 'fail', detector: DEFAULT_DETECTOR, entries: [judged, fresh, broken] };
}

test('JUnit XML: testsuites / testsuite / testcase with the required attributes and consistent counts', () => {
  const xml = renderJunit(sampleReport(), 'host<1>');
  const root = parseXml(xml);
  assert.is(root.name, 'testsuites');
  for (const a of ['name', 'tests', 'failures', 'errors', 'time']) assert.ok(a in root.attrs, `testsuites@${a}`);
  const suites = root.children;
  assert.equal(suites.map((s) => s.name), ['testsuite', 'testsuite', 'testsuite']);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const s of suites) {
    for (const a of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname']) assert.ok(a in s.attrs, `testsuite@${a}`);
    assert.match(s.attrs.timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.is(s.attrs.hostname, 'host<1>');
    // properties first, then only testcases (junit-10.xsd order).
    assert.is(s.children[0]!.name, 'properties');
    const cases = s.children.slice(1);
    assert.ok(cases.every((c) => c.name === 'testcase'));
    for (const c of cases) for (const a of ['name', 'classname', 'time']) assert.ok(a in c.attrs, `testcase@${a}`);
    assert.is(Number(s.attrs.tests), cases.length);
    assert.is(Number(s.attrs.failures), cases.filter((c) => c.children.some((x) => x.name === 'failure')).length);
    assert.is(Number(s.attrs.errors), cases.filter((c) => c.children.some((x) => x.name === 'error')).length);
    assert.is(Number(s.attrs.skipped), cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length);
    tests += cases.length;
    failures += Number(s.attrs.failures);
    errors += Number(s.attrs.errors);
  }
  assert.is(Number(root.attrs.tests), tests);
  assert.is(Number(root.attrs.failures), failures);
  assert.is(Number(root.attrs.errors), errors);

  const [judged, fresh, broken] = suites as [XmlNode, XmlNode, XmlNode];
  const cases = judged.children.slice(1);
  const failing = cases.filter((c) => c.children.some((x) => x.name === 'failure')).map((c) => c.attrs.name);
  assert.ok(failing.includes('opt1 · Q3 · p99'), failing.join(', '));
  assert.ok(failing.includes('plan opt1/Q3'));
  assert.ok(failing.includes(`kpi: ${EVIL.replace('\u0001', '\uFFFD')} (error_rate < 1%)`), 'the failed KPI, its label escaped and its control character replaced');
  const plan = cases.find((c) => c.attrs.name === 'plan opt1/Q3')!.children.find((x) => x.name === 'failure')!;
  assert.match(plan.text, /- Limit\n\+ Limit|  Limit/);
  assert.match(plan.text, /\+     Seq Scan on geometrias/);
  assert.match(plan.text, /-   Index Scan using geometrias_geom_gist on geometrias/);
  // One testcase per KPI and per regression check.
  assert.is(cases.filter((c) => c.attrs.classname === 'geobench.nightly.smoke.kpi').length, 1);
  assert.is(cases.filter((c) => c.attrs.classname === 'geobench.nightly.smoke.regression').length, sampleReport().entries[0]!.metrics.length);
  // Not enough history → skipped, never failed.
  const freshCases = fresh.children.slice(1).filter((c) => c.attrs.classname === 'geobench.nightly.fresh.regression');
  assert.ok(freshCases.length > 0 && freshCases.every((c) => c.children[0]?.name === 'skipped'));
  assert.match(freshCases[0]!.children[0]!.attrs.message!, /not enough history/);
  // An entry that could not run is an <error> with the message.
  const err = broken.children[1]!.children[0]!;
  assert.is(err.name, 'error');
  assert.is(err.attrs.message, 'database said: relation "x" does not exist & <oops>');
  assert.is(broken.attrs.name, 'geobench.nightly.broken<entry>');
});

test.run();
