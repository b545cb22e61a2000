import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { GeobenchError } from '../../core/errors.ts';
import { say } from '../context.ts';
import { readResult } from '../../result-file/result-file.ts';
import type { Check } from '../../validate/checks.ts';
import { DEFAULT_DETECTOR } from '../../nightly/detector.ts';
import { outcomeOf, type NightlyReport } from '../../nightly/judgement.ts';
import { verdictLine } from '../../nightly/summary-markdown.ts';
import { writeReportFiles } from '../../nightly/outputs.ts';
import { comparePair } from '../../nightly/pair-compare.ts';
import { change as formatChange, valueInUnit as formatValue } from '../../output/format.ts';
import { metricLabel } from '../../nightly/metrics.ts';
import { assertWritableDir } from '../../core/output-dir.ts';

function readChecks(dir: string): Check[] | null {
  const file = path.join(dir, 'validation.json');
  if (!fs.existsSync(file)) return null;
  try {
    const checks = (JSON.parse(fs.readFileSync(file, 'utf8')) as { checks?: unknown }).checks;
    return Array.isArray(checks) ? (checks as Check[]) : null;
  } catch {
    return null;
  }
}

export function registerCompare(program: Command): void {
  program.command('compare')
    .description('judge run B against run A (two result folders) as the nightly does: per-metric change with bootstrap CIs over repetitions, sizes, plan diffs, KPIs; exit 1 on a regression or plan change (or a missed KPI with --kpi fail), 3 when run B is incomplete')
    .argument('<run-a>', 'the reference result folder (or its result.json)')
    .argument('<run-b>', 'the result folder judged against it')
    .option('--out <dir>', 'also write compare.html, summary.md, junit.xml and compare.json there')
    .option('--allow-incompatible', 'compare runs of another machine, scale, seed, scenario or configuration (reported, not refused)')
    .option('--plan-change <policy>', 'a changed plan fails (fail, default) or is only reported (warn)', 'fail')
    .option('--kpi <policy>', "B's KPIs not met are only reported (warn, default) or fail (fail)", 'warn')
    .action(async (runA: string, runB: string, opts: { out?: string; allowIncompatible?: boolean; planChange: string; kpi: string }) => {
      if (opts.planChange !== 'fail' && opts.planChange !== 'warn') throw new GeobenchError(`--plan-change must be fail or warn, got '${opts.planChange}'`, { exitCode: 2 });
      if (opts.kpi !== 'fail' && opts.kpi !== 'warn') throw new GeobenchError(`--kpi must be fail or warn, got '${opts.kpi}'`, { exitCode: 2 });
      const outDir = opts.out === undefined ? undefined : assertWritableDir(opts.out, '--out');
      const dirOf = (p: string): string => (fs.existsSync(p) && fs.statSync(p).isDirectory() ? p : path.dirname(p));
      const a = readResult(runA);
      const b = readResult(runB);
      const startedAt = new Date().toISOString();
      const entry = comparePair({ dir: dirOf(runA), result: a, checks: readChecks(dirOf(runA)) }, { dir: dirOf(runB), result: b, checks: readChecks(dirOf(runB)) }, DEFAULT_DETECTOR);
      const incompatible = entry.notices.filter((n) => n.startsWith('not like with like'));
      if (incompatible.length && !opts.allowIncompatible) {
        throw new GeobenchError(`${runA} and ${runB} are not comparable:\n${incompatible.map((n) => `  ${n.replace('not like with like: ', '')}`).join('\n')}`, { hint: 'pass --allow-incompatible to compare them anyway', exitCode: 2 });
      }
      const report: NightlyReport = {
        kind: 'compare',
        title: `${a.runId} (A) vs ${b.runId} (B)`,
        runId: `${a.runId}-vs-${b.runId}`,
        startedAt,
        finishedAt: new Date().toISOString(),
        machine: b.metadata ? `${b.metadata.machine.cpuModel}, ${b.metadata.machine.cpus} cpus (fingerprint ${b.metadata.machine.fingerprint})` : null,
        commit: b.metadata?.git.commit ?? null,
        configFile: null,
        planChange: opts.planChange,
        kpi: opts.kpi,
        detector: DEFAULT_DETECTOR,
        entries: [entry],
      };
      const outcome = outcomeOf(report);
      console.log(`geobench compare: ${verdictLine(report)}`);
      for (const n of entry.notices) console.log(`  note: ${n}`);
      const shown = entry.metrics.filter((m) => m.status === 'regression' || m.status === 'improvement');
      for (const m of shown) {
        const ci = m.ci ? ` [${formatChange(m.ci.low)}, ${formatChange(m.ci.high)}]` : '';
        console.log(`  ${m.status.toUpperCase()} ${metricLabel(m.metric.id)}: ${formatValue(m.baseline, m.metric.unit)} → ${formatValue(m.metric.value, m.metric.unit)} (${formatChange(m.change)}${ci}); ${m.reason}`);
      }
      for (const p of entry.plans.filter((x) => x.status === 'changed')) console.log(`  PLAN CHANGE ${p.variant}/${p.queryType}:\n${p.diff.map((l) => `      ${l}`).join('\n')}`);
      for (const k of entry.kpis.filter((x) => x.pass === false)) console.log(`  ${opts.kpi === 'fail' ? 'KPI FAILED' : 'KPI NOT MET (warning)'} ${k.label}: ${k.achieved}`);
      if (outDir) {
        const files = writeReportFiles(outDir, report, 'compare');
        say(`report: ${files.html}`);
      }
      process.exitCode = outcome.exitCode;
    });
}
