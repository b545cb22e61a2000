/**
 * One entry run judged against its history: metric verdicts, trend series, plan verdicts, KPI and
 * validator outcomes, and the notices a reader needs (not enough history, runs skipped as not
 * comparable). Pure: the orchestrator (run-nightly.ts) loads the files and hands them in; the
 * reporters (markdown.ts, html-page.ts, junit.ts) and the exit code read the result.
 */
import type { RunResult } from '../formats/run-result.ts';
import { outcomeOf as checkOutcome, type Check } from '../validate/checks.ts';
import { judgeRunDetailed, type DetectorOptions, type MetricVerdict } from './detector.ts';
import { summarizeSkipped, type ComparableRuns, type HistoryRunRecord } from './history-index.ts';
import { extractMetrics, kpiMetric, type MetricPoint } from './metrics.ts';
import { judgePlans, planFingerprints, type PlanFingerprint } from './plans.ts';
import type { SeriesKey } from './series-key.ts';
export type { TrendPoint, KpiOutcome, EntryJudgement, NightlyReport, ChangePointReport } from '../formats/nightly-judgement.ts';
import type { TrendPoint, KpiOutcome, EntryJudgement, NightlyReport, ChangePointReport } from '../formats/nightly-judgement.ts';
import { changePoints } from './change-points.ts';

/** What one entry run left behind: a load result, and a validator's checks when it was one. */
export interface EntryRunData {
  readonly result: RunResult | null;
  readonly checks: readonly Check[] | null;
}

/** "no longer measured" notice: metric ids an earlier run had and this one lacks (e.g. a dropped index's size). */
export function goneNotice(before: readonly MetricPoint[], now: readonly MetricPoint[]): string | null {
  const ids = new Set(now.map((m) => m.id));
  const gone = before.filter((m) => m.value !== null && !ids.has(m.id)).map((m) => m.id);
  if (!gone.length) return null;
  return `no longer measured (present in the last comparable run): ${gone.slice(0, 10).join(', ')}${gone.length > 10 ? `, … ${gone.length - 10} more` : ''}`;
}

/** Metric points of an entry run: its load result's metrics and its validator checks' values. */
export function metricsOf(data: EntryRunData): MetricPoint[] {
  const out = data.result ? extractMetrics(data.result) : [];
  for (const c of data.checks ?? []) {
    if (c.target === null || c.value === null) continue;
    const p = kpiMetric(c.metric, c.target, c.value);
    if (p) out.push({ ...p, id: `check/${c.metric}` });
  }
  return out;
}

export function plansOf(data: EntryRunData): PlanFingerprint[] {
  return data.result ? planFingerprints(data.result.variants) : [];
}

/** KPI and checklist outcomes of an entry run. */
export function kpisOf(data: EntryRunData): KpiOutcome[] {
  const out: KpiOutcome[] = (data.result?.kpis ?? []).map((k) => ({ label: k.label, target: k.target, achieved: k.text, pass: k.pass, source: 'kpi' as const }));
  for (const c of data.checks ?? []) {
    // As `geobench validate` judges: a target that failed or was not measured fails; informational
    // and not-measurable lines do not.
    // An inconclusive line (interval straddles the target) is neither: shown as such, not as a failure.
    const inconclusive = checkOutcome(c) === 'inconclusive';
    const pass = inconclusive || c.target === null || c.achieved === 'not measurable' ? null : c.pass === true;
    out.push({ label: c.metric, target: c.target, achieved: inconclusive ? `${c.achieved} (inconclusive)` : c.achieved, pass, source: 'check', note: inconclusive ? `inconclusive: ${c.note ?? 'the interval straddles the target'}` : c.note });
  }
  return out;
}

export interface JudgeEntryInput {
  readonly entry: string;
  readonly kind: 'scenario' | 'validate';
  readonly name: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly key: SeriesKey;
  readonly current: EntryRunData;
  readonly comparable: ComparableRuns;
  /** Loaded data of the runs in comparable.all (by nightly run id); missing ones are left out. */
  readonly stored: ReadonlyMap<string, EntryRunData>;
  readonly options: DetectorOptions;
  readonly seconds: number;
}

/** Judges one entry run against its comparable history. */
export function judgeEntry(input: JudgeEntryInput): EntryJudgement {
  const { comparable, stored, options } = input;
  const baselineRuns = comparable.baseline.filter((r) => stored.has(r.nightlyRunId));
  const current = metricsOf(input.current);
  const { verdicts: metrics, slowdown } = judgeRunDetailed(current, baselineRuns.map((r) => metricsOf(stored.get(r.nightlyRunId)!)), options);
  const plans = judgePlans(plansOf(input.current), baselineRuns.map((r) => ({ runId: r.nightlyRunId, plans: plansOf(stored.get(r.nightlyRunId)!) })));

  const notices: string[] = [];
  if (baselineRuns.length < options.minHistory) {
    notices.push(`not enough history: ${baselineRuns.length} comparable good run${baselineRuns.length === 1 ? '' : 's'} (${options.minHistory} needed); metrics are recorded but not judged${baselineRuns.length > 0 ? ' (plans are compared with the last run)' : ''}`);
  }
  if (slowdown) {
    const shares = Object.entries(slowdown.worseShare).map(([v, s]) => `${v} ${Math.round(100 * s)}%`).join(', ');
    notices.push(`machine-wide slowdown of ${(100 * Math.expm1(slowdown.shift)).toFixed(0)}%: most timings of every variant got worse (${shares} of their judged latency/throughput metrics) — a busier machine, not one schema; timing regressions within ${options.machineGuardFactor}× that slowdown are reported as suspect and do not fail the night. If it persists on a quiet machine, something common to all variants got slower`);
  }
  notices.push(...summarizeSkipped(comparable.incompatible).map((s) => `not comparable: ${s}`));
  notices.push(...summarizeSkipped(comparable.excluded).map((s) => `left out of the history: ${s}`));
  const latest = baselineRuns[0];
  const gone = latest ? goneNotice(metricsOf(stored.get(latest.nightlyRunId)!), current) : null;
  if (gone) notices.push(gone);
  const missing = comparable.all.filter((r) => !stored.has(r.nightlyRunId)).length;
  if (missing > 0) notices.push(`${missing} stored run${missing === 1 ? '' : 's'} could not be read and ${missing === 1 ? 'was' : 'were'} left out`);

  const r = input.current.result;
  const trends = trendSeries(current, comparable, stored, baselineRuns, input.runId, input.startedAt, r?.metadata?.git.commit ?? null);
  return {
    entry: input.entry,
    kind: input.kind,
    name: input.name,
    runId: input.runId,
    status: r ? r.status : input.current.checks ? 'complete' : 'error',
    statusReason: r?.statusReason ?? null,
    key: input.key,
    historyRuns: baselineRuns.map((x) => x.nightlyRunId),
    notices,
    metrics,
    trends,
    plans,
    kpis: kpisOf(input.current),
    changePoints: trendChangePoints(current, trends, options),
    seconds: input.seconds,
  };
}

/**
 * Change points over every timing and size trend (fractions are left out: their level is not
 * multiplicative). The minimum shift is the metric's minimum effect (p50 10 %, p99 20 %, …).
 */
export function trendChangePoints(current: readonly MetricPoint[], trends: Readonly<Record<string, readonly TrendPoint[]>>, options: DetectorOptions): ChangePointReport[] {
  const out: ChangePointReport[] = [];
  for (const m of current) {
    if (m.unit === 'fraction' || m.unit === 'none') continue;
    const points = trends[m.id] ?? [];
    const minShift = m.family === 'latency' ? (m.stat === 'p99' ? options.minEffect.p99 : options.minEffect.p50) : options.minEffect[m.family];
    for (const cp of changePoints(points.map((p) => p.value), { minShift, noiseFloor: options.noiseFloor })) {
      const first = points[cp.index]!;
      const worse = m.betterWhen === 'lower' ? cp.change > 0 : cp.change < 0;
      out.push({ metricId: m.id, unit: m.unit, runId: first.runId, startedAt: first.startedAt, commit: first.commit ?? null, before: cp.before, after: cp.after, change: cp.change, p: cp.p, direction: worse ? 'worse' : 'better' });
    }
  }
  return out;
}

/** History (oldest first, up to 30 runs) plus the current value, per current metric. */
function trendSeries(current: readonly MetricPoint[], comparable: ComparableRuns, stored: ReadonlyMap<string, EntryRunData>, baseline: readonly HistoryRunRecord[], runId: string, startedAt: string, commit: string | null): Record<string, TrendPoint[]> {
  const inBaseline = new Set(baseline.map((r) => r.nightlyRunId));
  const shown = comparable.all.filter((r) => stored.has(r.nightlyRunId)).slice(0, 30).reverse();
  const values = shown.map((r) => new Map(metricsOf(stored.get(r.nightlyRunId)!).map((m) => [m.id, m.value])));
  const out: Record<string, TrendPoint[]> = {};
  for (const m of current) {
    out[m.id] = [
      ...shown.map((r, i): TrendPoint => ({ runId: r.nightlyRunId, startedAt: r.startedAt, value: values[i]!.get(m.id) ?? null, role: inBaseline.has(r.nightlyRunId) ? 'baseline' : 'excluded', commit: r.commit })),
      { runId, startedAt, value: m.value, role: 'current', commit },
    ];
  }
  return out;
}

/** An entry that could not run at all (bad scenario, database down…). */
export function errorEntry(entry: string, kind: 'scenario' | 'validate', name: string, runId: string, message: string, seconds: number): EntryJudgement {
  return { entry, kind, name, runId, status: 'error', statusReason: message, key: null, historyRuns: [], notices: [], metrics: [], trends: {}, plans: [], kpis: [], seconds };
}

/**
 * Exit codes of `geobench nightly` / `compare` (docs/nightly.md). When several apply the highest
 * wins: a broken run (3) is reported over a regression (1), because its measurements — and so any
 * regression found in them — are not to be trusted until the run itself works.
 */
export const EXIT_OK = 0;
export const EXIT_REGRESSION = 1;
export const EXIT_BROKEN_RUN = 3;
export type GateExitCode = typeof EXIT_OK | typeof EXIT_REGRESSION | typeof EXIT_BROKEN_RUN;

export interface Outcome {
  readonly regressions: number;
  readonly improvements: number;
  /** Timing regressions during a machine-wide slowdown: reported, not failing. */
  readonly suspects: number;
  readonly planChanges: number;
  /** KPIs / checklist targets missed (failing only under kpi = fail). */
  readonly kpiFailures: number;
  /** Entries that errored or whose run is incomplete. */
  readonly broken: number;
  readonly judged: number;
  readonly notJudged: number;
  /** 3 a broken entry; else 1 a regression, a failing plan change or (kpi = fail) a missed KPI; else 0. */
  readonly exitCode: GateExitCode;
}

/** Whether a run's alarms make it a regression (a history run of the entry's series). */
export function entryAlarms(e: EntryJudgement, planChange: 'fail' | 'warn'): string[] {
  return [
    ...e.metrics.filter((m) => m.status === 'regression').map((m) => m.metric.id),
    ...(planChange === 'fail' ? e.plans.filter((p) => p.status === 'changed').map((p) => `plan:${p.variant}/${p.queryType}`) : []),
  ];
}

export function outcomeOf(report: Pick<NightlyReport, 'entries' | 'planChange' | 'kpi'>): Outcome {
  let regressions = 0;
  let improvements = 0;
  let suspects = 0;
  let planChanges = 0;
  let kpiFailures = 0;
  let broken = 0;
  let judged = 0;
  let notJudged = 0;
  for (const e of report.entries) {
    for (const m of e.metrics) {
      if (m.status === 'regression') regressions++;
      if (m.status === 'improvement') improvements++;
      if (m.status === 'suspect') suspects++;
      if (m.status === 'regression' || m.status === 'improvement' || m.status === 'ok' || m.status === 'suspect') judged++;
      else notJudged++;
    }
    planChanges += e.plans.filter((p) => p.status === 'changed').length;
    kpiFailures += e.kpis.filter((k) => k.pass === false).length;
    if (e.status !== 'complete') broken++;
  }
  const failingPlans = report.planChange === 'fail' ? planChanges : 0;
  const failingKpis = report.kpi === 'fail' ? kpiFailures : 0;
  const exitCode: GateExitCode = broken > 0 ? EXIT_BROKEN_RUN : regressions + failingPlans + failingKpis > 0 ? EXIT_REGRESSION : EXIT_OK;
  return { regressions, improvements, suspects, planChanges, kpiFailures, broken, judged, notJudged, exitCode };
}
