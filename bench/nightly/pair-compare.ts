/**
 * `geobench compare <run-a> <run-b>`: the nightly judgement for two result folders by hand.
 * Latency and throughput per variant and query type (and overall) use the bootstrap comparison of
 * bench/analysis/compare.ts over the two runs' repetitions: a regression is a 95% interval wholly
 * on the worse side and beyond the minimum effect (with 95% confidence the change is at least that
 * big). Sizes use the size rule (grew by more
 * than the minimum effect); plans are diffed; run B's KPIs are its own verdicts. Pure.
 */
import { compareVariants, type CompareMetric, type RepetitionSummary } from '../analysis/compare.ts';
import type { RunResult } from '../formats/run-result.ts';
import { applyMachineGuard, minEffectOf, type DetectorOptions, type MetricStatus, type MetricVerdict } from './detector.ts';
import { goneNotice, kpisOf, metricsOf, plansOf, type EntryJudgement, type EntryRunData } from './judgement.ts';
import type { MetricPoint } from './metrics.ts';
import { judgePlans } from './plans.ts';
import { keyDifferences, seriesKeyOf } from './series-key.ts';

const WATCHED: ReadonlyArray<{ stat: CompareMetric; family: 'latency' | 'throughput'; unit: 'µs' | 'ops/s'; better: 'lower' | 'higher' }> = [
  { stat: 'p50', family: 'latency', unit: 'µs', better: 'lower' },
  { stat: 'p99', family: 'latency', unit: 'µs', better: 'lower' },
  { stat: 'throughput', family: 'throughput', unit: 'ops/s', better: 'higher' },
];

/** Per variant present in both runs: bootstrap verdicts of p50, p99, throughput per query type and overall. */
export function compareTimings(a: RunResult, b: RunResult, o: DetectorOptions, seed = 'geobench-compare'): { verdicts: MetricVerdict[]; notices: string[] } {
  const verdicts: MetricVerdict[] = [];
  const notices: string[] = [];
  const variants = a.results.variants.map((v) => v.variant).filter((v) => b.results.variants.some((x) => x.variant === v));
  for (const variant of variants) {
    const rowsA = a.results.repetitions.filter((r) => r.variant === variant);
    const rowsB = b.results.repetitions.filter((r) => r.variant === variant);
    // The bootstrap resamples whole repetitions, so it needs every query type in every repetition:
    // compare the types both runs measured throughout; a type A always had and B lost in some
    // repetition (it completed nothing there) is a regression of its own.
    const everywhere = (rows: readonly RepetitionSummary[]): Set<string> => {
      const reps = new Set(rows.map((r) => r.repetition));
      const types = new Set(rows.map((r) => r.queryType));
      return new Set([...types].filter((q) => [...reps].every((rep) => rows.some((r) => r.repetition === rep && r.queryType === q))));
    };
    const inA = everywhere(rowsA);
    const inB = everywhere(rowsB);
    for (const q of [...inA].filter((x) => !inB.has(x)).sort()) {
      const repsB = new Set(rowsB.map((r) => r.repetition)).size;
      const missing = repsB - rowsB.filter((r) => r.queryType === q).length;
      const meanA = rowsA.filter((r) => r.queryType === q).reduce((s, r) => s + r.throughput, 0) / Math.max(1, rowsA.filter((r) => r.queryType === q).length);
      verdicts.push({
        metric: { id: `${variant}/${q}/throughput`, family: 'throughput', stat: 'throughput', unit: 'ops/s', betterWhen: 'higher', value: b.results.variants.find((v) => v.variant === variant)?.byQueryType[q]?.throughput ?? 0 },
        status: 'regression', n: rowsA.length, baseline: meanA, change: -1, z: null, zCritical: null, ci: null,
        reason: `completed nothing in ${missing} of ${repsB} repetition${repsB === 1 ? '' : 's'} of run B (run A: every repetition)`,
      });
    }
    const shared = new Set([...inA].filter((q) => inB.has(q)));
    const rows: RepetitionSummary[] = [
      ...rowsA.filter((r) => shared.has(r.queryType)).map((r) => ({ ...r, variant: 'A' })),
      ...rowsB.filter((r) => shared.has(r.queryType)).map((r) => ({ ...r, variant: 'B' })),
    ];
    let comparison;
    try {
      // Two separate runs: repetition r of A and of B are not a pair.
      comparison = compareVariants(rows, { baseline: 'A', optimized: 'B', seed: `${seed}:${variant}`, pairing: 'independent' });
    } catch (err) {
      notices.push(`${variant}: no bootstrap comparison (${(err as Error).message})`);
      continue;
    }
    const left = [...new Set([...rowsA, ...rowsB].map((r) => r.queryType))].filter((q) => !shared.has(q) && !(inA.has(q) && !inB.has(q)));
    if (left.length) notices.push(`${variant}: ${left.join(', ')} not measured in every repetition of run A; not compared`);
    for (const row of [...comparison.byQueryType, comparison.overall]) {
      for (const w of WATCHED) {
        if (row.queryType === 'overall' && w.stat === 'throughput') continue; // `*` carries the total throughput
        const m = row.metrics[w.stat];
        const point: MetricPoint = { id: `${variant}/${row.queryType}/${w.stat}`, family: w.family, stat: w.stat, unit: w.unit, betterWhen: w.better, value: Number.isFinite(m.optimized) ? m.optimized : null };
        const minEffect = minEffectOf(point, o);
        // The whole interval beyond the minimum effect: with 95% confidence the change is at least that big.
        const worseSide = w.better === 'lower' ? m.ciLow : m.ciHigh === null ? null : -m.ciHigh;
        const betterSide = w.better === 'lower' ? (m.ciHigh === null ? null : -m.ciHigh) : m.ciLow;
        const big = m.verdict === 'worse' ? worseSide !== null && worseSide >= minEffect : m.verdict === 'better' ? betterSide !== null && betterSide >= minEffect : false;
        let status: MetricStatus;
        let reason: string;
        if (m.change === null) {
          status = 'not-measured';
          reason = 'no change defined (a value is missing or 0)';
        } else if (!m.ciAvailable) {
          status = 'too-few-samples';
          reason = `no confidence interval: needs ≥ 2 repetitions in both runs (A ${row.repetitions.baseline}, B ${row.repetitions.optimized})`;
        } else {
          status = m.verdict === 'worse' && big ? 'regression' : m.verdict === 'better' && big ? 'improvement' : 'ok';
          reason = `95% CI ${m.verdict === 'inconclusive' ? 'includes 0' : `wholly ${m.verdict}`} over ${row.repetitions.baseline}+${row.repetitions.optimized} repetitions; ${big ? 'the whole interval is beyond' : 'the interval does not clear'} the min effect ${(100 * minEffect).toFixed(0)}%`;
        }
        verdicts.push({
          metric: point,
          status,
          n: row.repetitions.baseline,
          baseline: Number.isFinite(m.baseline) ? m.baseline : null,
          change: m.change,
          z: null,
          zCritical: null,
          ci: m.ciAvailable && m.ciLow !== null && m.ciHigh !== null ? { low: m.ciLow, high: m.ciHigh } : null,
          reason,
        });
      }
    }
  }
  return { verdicts, notices };
}

/** Sizes and KPI values of two runs: sizes by the size rule, KPI values reported (their targets judge them). */
function compareOthers(a: EntryRunData, b: EntryRunData, o: DetectorOptions): MetricVerdict[] {
  const before = new Map(metricsOf(a).map((m) => [m.id, m.value]));
  return metricsOf(b)
    .filter((m) => m.family === 'size' || m.family === 'kpi')
    .map((m): MetricVerdict => {
      const base = before.get(m.id) ?? null;
      const x = m.value;
      const change = base !== null && x !== null && base !== 0 ? x / base - 1 : null;
      const none = { n: base === null ? 0 : 1, baseline: base, change, z: null, zCritical: null, ci: null };
      if (x === null) return { metric: m, status: 'not-measured', ...none, reason: 'not measured in run B' };
      if (base === null) return { metric: m, status: 'not-enough-history', ...none, reason: 'not measured in run A' };
      if (m.family === 'kpi') return { metric: m, status: 'ok', ...none, reason: 'reported; judged by its target in run B' };
      const e = o.minEffect.size;
      const status: MetricStatus = change !== null && change >= e ? 'regression' : change !== null && -change >= e ? 'improvement' : 'ok';
      return { metric: m, status, ...none, alarmAt: base * (1 + e), reason: `size change threshold ${(100 * e).toFixed(0)}%` };
    });
}

/** The judgement of run B against run A. Throws nothing; incompatibilities become notices. */
export function comparePair(a: { dir: string; result: RunResult; checks?: EntryRunData['checks'] }, b: { dir: string; result: RunResult; checks?: EntryRunData['checks'] }, o: DetectorOptions): EntryJudgement {
  const A: EntryRunData = { result: a.result, checks: a.checks ?? null };
  const B: EntryRunData = { result: b.result, checks: b.checks ?? null };
  const keyB = seriesKeyOf(b.result);
  const differences = keyDifferences(keyB, seriesKeyOf(a.result));
  const raw = compareTimings(a.result, b.result, o);
  const guarded = applyMachineGuard(raw.verdicts, o);
  const timings = { verdicts: guarded.verdicts, notices: raw.notices };
  if (guarded.slowdown) {
    const shares = Object.entries(guarded.slowdown.worseShare).map(([v, s]) => `${v} ${Math.round(100 * s)}%`).join(', ');
    timings.notices.push(`machine-wide slowdown of ${(100 * Math.expm1(guarded.slowdown.shift)).toFixed(0)}% in run B (${shares} of the judged timings worse): timing regressions every other variant shares are suspect, not failing`);
  }
  const notices = [
    ...differences.map((d) => `not like with like: ${d}`),
    ...timings.notices,
    ...[goneNotice(metricsOf(A), metricsOf(B))].filter((n): n is string => n !== null).map((n) => n.replace('the last comparable run', 'run A')),
    ...(a.result.status !== 'complete' ? [`run A is ${a.result.status}: ${a.result.statusReason ?? ''}`] : []),
  ];
  return {
    entry: b.result.scenario.name,
    kind: 'scenario',
    name: b.result.scenario.name,
    runId: b.result.runId,
    status: b.result.status,
    statusReason: b.result.statusReason,
    key: keyB,
    historyRuns: [a.result.runId],
    notices,
    metrics: [...timings.verdicts, ...compareOthers(A, B, o)],
    trends: {},
    plans: judgePlans(plansOf(B), [{ runId: a.result.runId, plans: plansOf(A) }]),
    kpis: kpisOf(B),
    seconds: (Date.parse(b.result.finishedAt) - Date.parse(b.result.startedAt)) / 1000 || 0,
  };
}
