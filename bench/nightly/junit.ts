/**
 * JUnit XML of a nightly (or compare) report, in the shape CI servers read (the Ant/Jenkins
 * junit-10.xsd): testsuites(name, tests, failures, errors, skipped, time) / one testsuite per entry
 * (name, tests, failures, errors, skipped, time, timestamp, hostname) with properties / one
 * testcase(name, classname, time) per KPI or checklist line, per regression check (metric) and per
 * plan check. A regression or a changed plan (planChange = fail) is a <failure>; a missed KPI is a
 * <failure> under kpi = fail and a <skipped> "KPI not met (warning)" under kpi = warn (the suite's
 * properties count them); an entry that could not run or ran incomplete is an <error> (exit 3); a
 * check that could not be judged (not enough history, too few samples) or a suspect one (a timing
 * regression during a machine-wide slowdown) is <skipped> with the reason.
 */
import os from 'node:os';
import { escapeXml, escapeXmlAttribute } from '../output/escape.ts';
import { change as formatChange, valueInUnit as formatValue } from '../output/format.ts';
import { metricLabel } from './metrics.ts';
import type { EntryJudgement, NightlyReport } from './judgement.ts';

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly result: { kind: 'pass' } | { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; body?: string };
  readonly out?: string;
}

const a = escapeXmlAttribute;

function casesOf(entry: EntryJudgement, report: NightlyReport, prefix: string): Case[] {
  const cls = `${prefix}.${entry.entry}`;
  const cases: Case[] = [];
  if (entry.status === 'error') {
    cases.push({ name: `run ${entry.name}`, classname: cls, result: { kind: 'error', message: entry.statusReason ?? 'the entry could not run', type: 'error' } });
    return cases;
  }
  cases.push({
    name: `run ${entry.name} complete`,
    classname: cls,
    result: entry.status === 'complete' ? { kind: 'pass' } : { kind: 'error', message: `run ${entry.status}: ${entry.statusReason ?? 'not every segment was measured'}`, type: 'incomplete' },
  });
  for (const k of entry.kpis) {
    const name = `${k.source === 'kpi' ? 'kpi' : 'check'}: ${k.label}${k.target ? ` (${k.target})` : ''}`;
    const result: Case['result'] = k.pass === true ? { kind: 'pass' }
      : k.pass === false ? (report.kpi === 'fail' ? { kind: 'failure', message: `${k.label}: ${k.achieved}`, type: 'kpi' } : { kind: 'skipped', message: `KPI not met (warning, kpi: warn): ${k.label}: ${k.achieved}` })
      : { kind: 'skipped', message: k.note ?? `${k.achieved} (no pass/fail)` };
    cases.push({ name, classname: `${cls}.kpi`, result });
  }
  for (const m of entry.metrics) {
    const name = `${metricLabel(m.metric.id)}`;
    const values = `this run ${formatValue(m.metric.value, m.metric.unit)}, ${report.kind === 'compare' ? 'run A' : 'history'} ${formatValue(m.baseline, m.metric.unit)}, change ${formatChange(m.change)}`;
    let result: Case['result'];
    if (m.status === 'regression') result = { kind: 'failure', message: `regression: ${metricLabel(m.metric.id)} ${formatChange(m.change)}`, type: 'regression', body: `${values}\n${m.reason}` };
    else if (m.status === 'ok' || m.status === 'improvement') result = { kind: 'pass' };
    else if (m.status === 'suspect') result = { kind: 'skipped', message: `${formatChange(m.change)}: ${m.reason}` };
    else result = { kind: 'skipped', message: m.reason };
    cases.push({ name, classname: `${cls}.regression`, result, out: m.status === 'ok' || m.status === 'improvement' ? `${m.status}: ${values}; ${m.reason}` : undefined });
  }
  for (const p of entry.plans) {
    const name = `plan ${p.variant}/${p.queryType}`;
    let result: Case['result'];
    if (p.status === 'changed' && report.planChange === 'fail') result = { kind: 'failure', message: `plan changed: ${p.variant}/${p.queryType}`, type: 'plan-change', body: `${p.reason}\n${p.diff.join('\n')}` };
    else if (p.status === 'not-enough-history' || p.status === 'not-captured') result = { kind: 'skipped', message: p.reason };
    else result = { kind: 'pass' };
    cases.push({ name, classname: `${cls}.plan`, result, out: p.diff.length ? `${p.reason}\n${p.diff.join('\n')}` : undefined });
  }
  return cases;
}

function caseXml(c: Case): string {
  const open = `    <testcase name="${a(c.name)}" classname="${a(c.classname)}" time="0"`;
  const inner: string[] = [];
  const r = c.result;
  if (r.kind === 'skipped') inner.push(`      <skipped message="${a(r.message)}"/>`);
  if (r.kind === 'failure' || r.kind === 'error') {
    inner.push(`      <${r.kind} message="${a(r.message)}" type="${a(r.type ?? r.kind)}">${escapeXml(r.body ?? r.message)}</${r.kind}>`);
  }
  if (c.out) inner.push(`      <system-out>${escapeXml(c.out)}</system-out>`);
  return inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
}

const count = (cases: readonly Case[], kind: string): number => cases.filter((c) => c.result.kind === kind).length;

/** The report as a JUnit XML document. */
export function renderJunit(report: NightlyReport, hostname = os.hostname()): string {
  const prefix = `geobench.${report.kind}`;
  const suites = report.entries.map((entry) => ({ entry, cases: casesOf(entry, report, prefix) }));
  const all = suites.flatMap((s) => s.cases);
  const total = report.entries.reduce((s, e) => s + e.seconds, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${a(`geobench ${report.kind} ${report.runId}`)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" skipped="${count(all, 'skipped')}" time="${total.toFixed(3)}">`,
  ];
  for (const { entry, cases } of suites) {
    lines.push(`  <testsuite name="${a(`${prefix}.${entry.entry}`)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" time="${entry.seconds.toFixed(3)}" timestamp="${a(report.startedAt.slice(0, 19))}" hostname="${a(hostname)}">`);
    const props: Array<[string, string]> = [['run', entry.runId], ['kind', entry.kind], ['name', entry.name], ['status', entry.status]];
    if (entry.key) props.push(['series', `${entry.key.scenario} scale=${entry.key.scale} seed=${entry.key.seed} machine=${entry.key.fingerprint} config=${entry.key.config}`]);
    props.push(['history', entry.historyRuns.join(' ')]);
    props.push(['kpi.gate', report.kpi]);
    entry.kpis.filter((k) => k.pass === false).forEach((k, i) => props.push([`kpi.not-met.${i + 1}`, `${k.label}${k.target ? ` (${k.target})` : ''}: ${k.achieved}`]));
    entry.notices.forEach((n, i) => props.push([`notice.${i + 1}`, n]));
    lines.push('    <properties>', ...props.map(([k, v]) => `      <property name="${a(k)}" value="${a(v)}"/>`), '    </properties>');
    lines.push(...cases.map(caseXml));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
