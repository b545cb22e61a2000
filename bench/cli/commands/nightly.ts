import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { GeobenchError, EXIT_INTERRUPTED } from '../../core/errors.ts';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { integerParser, parseScale } from '../options.ts';
import { RESULTS_DIR, SQL_DIR } from '../../core/paths.ts';
import { openDatabase } from '../../db/resolve.ts';
import { planRun } from '../../load/plan.ts';
import { loadScenario } from '../../scenario/load.ts';
import { VALIDATORS } from '../../validate/registry.ts';
import { DEFAULT_NIGHTLY_CONFIG, loadNightlyConfig } from '../../nightly/config.ts';
import { lockHistory, rebuildHistory } from '../../nightly/history-store.ts';
import { historySpec, openHistoryStore } from '../../nightly/history-open.ts';
import { isHistoryUrl } from '../../nightly/store.ts';
import { verdictLine } from '../../nightly/summary-markdown.ts';
import { runNightly } from '../../nightly/run-nightly.ts';
import { EXIT_BROKEN_RUN } from '../../nightly/judgement.ts';
import { redact } from '../../db/redact.ts';
import { assertWritableDir } from '../../core/output-dir.ts';
import { newRunId } from './run.ts';
import { change as formatChange, valueInUnit as formatValue } from '../../output/format.ts';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

export const DEFAULT_HISTORY_DIR = path.join(RESULTS_DIR, 'history');

interface NightlyFlags {
  config?: string;
  history?: string;
  out?: string;
  scale?: number;
  lookback?: number;
  accept?: string;
  rebuildIndex?: boolean;
}

export function registerNightly(program: Command): void {
  program.command('nightly')
    .description('run the nightly scenarios, judge them against the last comparable good runs (regressions, plan changes, KPIs), store them in the history; writes nightly.html, summary.md, junit.xml; exit 0 nothing regressed, 1 a regression or plan change (or a missed KPI under kpi: fail), 3 an entry incomplete or errored (3 wins over 1), 2 usage, 130 interrupted')
    .option('--config <file>', `nightly configuration (default ${path.relative(process.cwd(), DEFAULT_NIGHTLY_CONFIG)})`)
    .option('--history <dir|url>', `history: a folder, or a postgresql:// URL (schema geobench_history, created and migrated by geobench); default $GEOBENCH_HISTORY_URL, else ${path.relative(process.cwd(), DEFAULT_HISTORY_DIR)}`)
    .option('--out <dir>', 'output folder of this night (default results/<run-id>)')
    .option('--scale <s>', 'dataset scale of every entry (overrides the configuration)', parseScale)
    .option('--lookback <n>', 'judge against at most this many comparable good runs', integerParser('lookback', 1, 1000))
    .option('--accept <run-id>', 'mark a stored nightly run as good (its alarms are the new normal) and exit')
    .option('--rebuild-index', "rebuild the history's index.json from its run folders and exit")
    .action(async (opts: NightlyFlags, cmd: Command) => {
      try {
        await nightlyAction(opts, cmd);
      } catch (err) {
        throw asBrokenRun(err);
      }
    });
}

/**
 * Exit 1 means a regression and nothing else: an error that stopped the nightly itself (a history
 * that cannot be read or written, a server that went away) leaves with 3, like a broken entry.
 * Usage errors (2) and interrupts (130) keep their codes; other errors keep their stack as cause.
 */
function asBrokenRun(err: unknown): unknown {
  if (err instanceof GeobenchError) return err.exitCode === 1 ? new GeobenchError(err.message, { ...(err.hint ? { hint: err.hint } : {}), exitCode: EXIT_BROKEN_RUN, cause: err }) : err;
  return new GeobenchError(`nightly failed: ${redact((err as Error)?.stack ?? String(err))}`, { exitCode: EXIT_BROKEN_RUN, cause: err });
}

async function nightlyAction(opts: NightlyFlags, cmd: Command): Promise<void> {
  const spec = historySpec(opts.history, DEFAULT_HISTORY_DIR);
  if (opts.rebuildIndex) {
    if (isHistoryUrl(spec)) throw new GeobenchError('--rebuild-index rebuilds a history folder\'s index.json; a database history has no separate index', { exitCode: 2 });
    return rebuild(assertWritableDir(path.resolve(spec), '--history'));
  }
  if (opts.accept) return accept(spec, opts.accept);

  const config = await loadNightlyConfig(opts.config ?? DEFAULT_NIGHTLY_CONFIG);
  // Everything that can be wrong without a database fails now, not after an hour of load.
  for (const e of config.entries) {
    if (e.kind === 'scenario') {
      const ov = e.overrides;
      planRun(await loadScenario(e.name), { scale: opts.scale ?? ov.scale, variants: ov.variants, repetitions: ov.repetitions, connections: ov.connections, rate: ov.rate, workers: ov.workers });
    } else if (!VALIDATORS[e.name]) {
      throw new GeobenchError(`nightly configuration ${config.file}: unknown validator '${e.name}'`, { hint: `known: ${Object.keys(VALIDATORS).join(', ')}`, exitCode: 2 });
    }
  }
  const history = await openHistoryStore(spec);
  try {
    await history.readIndex();
  } catch (err) {
    await history.close();
    throw err;
  }

  const runId = newRunId('nightly');
  const outDir = assertWritableDir(path.resolve(opts.out ?? path.join(RESULTS_DIR, runId)), '--out');
  const signal = interruptSignal();
  const server = await openDatabase(targetOptions(cmd), say);
  say(`nightly ${runId}: ${config.entries.length} entr${config.entries.length === 1 ? 'y' : 'ies'} (${config.entries.map((e) => e.id).join(', ')}), history ${history.display}, on ${server.display}`);
  const { report, outcome, files, interrupted } = await runNightly({
    config, history, outDir, runId, scale: opts.scale, lookback: opts.lookback, server,
    sqlDir: process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, geobenchVersion: pkg.version,
    loadWorkers: Math.max(1, os.availableParallelism() - 1), signal, log: say, progress: say,
  }).finally(() => history.close());
  console.log(`geobench nightly ${runId}: ${verdictLine(report)}`);
  for (const e of report.entries) {
    const regressions = e.metrics.filter((m) => m.status === 'regression');
    const plans = e.plans.filter((p) => p.status === 'changed');
    console.log(`\n${e.entry}: ${e.status}${e.statusReason ? ` (${e.statusReason.split('\n')[0]})` : ''}, history ${e.historyRuns.length} run(s)`);
    for (const n of e.notices) console.log(`  note: ${n}`);
    for (const m of regressions) console.log(`  REGRESSION ${m.metric.id}: ${m.reason}`);
    for (const m of e.metrics.filter((x) => x.status === 'suspect')) console.log(`  SUSPECT ${m.metric.id}: ${m.reason}`);
    for (const c of e.changePoints ?? []) console.log(`  CHANGE POINT ${c.metricId}: level ${formatChange(c.change)} (${formatValue(c.before, c.unit)} → ${formatValue(c.after, c.unit)}) from run ${c.runId}${c.commit ? ` (commit ${c.commit.slice(0, 12)})` : ''}`);
    for (const p of plans) console.log(`  PLAN CHANGE ${p.variant}/${p.queryType}: ${p.reason}\n${p.diff.map((l) => `      ${l}`).join('\n')}`);
    for (const k of e.kpis.filter((x) => x.pass === false)) console.log(`  ${config.kpi === 'fail' ? 'KPI FAILED' : 'KPI NOT MET (warning)'} ${k.label}: ${k.achieved}`);
  }
  console.log(`\nreport: ${files.html}\nsummary: ${files.markdown}\njunit: ${files.junit}`);
  process.exitCode = interrupted || signal.aborted ? EXIT_INTERRUPTED : outcome.exitCode;
}

function rebuild(historyDir: string): void {
  const release = lockHistory(historyDir);
  try {
    const { runs, unreadable } = rebuildHistory(historyDir);
    console.log(`rebuilt ${path.join(historyDir, 'index.json')} from ${runs} stored run(s)`);
    for (const u of unreadable) say(`skipped ${u}`);
  } finally {
    release();
  }
}

async function accept(spec: string, runId: string): Promise<void> {
  const history = await openHistoryStore(spec);
  try {
    const marked = await history.accept(runId);
    if (marked === 0) throw new GeobenchError(`no stored nightly run '${runId}' in ${history.display}`, { hint: 'the run id is the folder name under the history folder, e.g. 20261126T020000Z-nightly' });
    console.log(`accepted ${runId} (${marked} entr${marked === 1 ? 'y' : 'ies'}): it now counts as a good run for the next nights`);
  } finally {
    await history.close();
  }
}
