/**
 * False-alarm rate of nights of unchanged code (docs/nightly.md, "Measured false-alarm rate"):
 * what one stored night's judgement counts — metric judgements and plan checks, alarms among them —
 * and the one-sided Clopper–Pearson upper bound of a binomial rate. Pure.
 */
import type { NightlyReport } from '../formats/nightly-judgement.ts';

export interface NightTally {
  readonly runId: string;
  /** Metric verdicts that were judged (ok, regression, improvement, suspect). */
  readonly metricJudgements: number;
  /** Plan verdicts that were judged (unchanged or changed). */
  readonly planJudgements: number;
  /** Metric ids that regressed, and plans (`plan:<variant>/<query type>`) that changed: every one a false alarm on unchanged code. */
  readonly alarms: readonly string[];
  readonly suspects: number;
  readonly improvements: number;
  /** Whether any metric of the night was judged (≥ minHistory comparable runs existed). */
  readonly judged: boolean;
  readonly brokenEntries: number;
}

/** Counts one night's judgements and alarms (plan changes count when planChange is `fail`). */
export function tallyNight(report: Pick<NightlyReport, 'runId' | 'entries' | 'planChange'>): NightTally {
  let metricJudgements = 0;
  let planJudgements = 0;
  let suspects = 0;
  let improvements = 0;
  let brokenEntries = 0;
  const alarms: string[] = [];
  for (const e of report.entries) {
    if (e.status !== 'complete') brokenEntries++;
    for (const m of e.metrics) {
      if (m.status === 'ok' || m.status === 'regression' || m.status === 'improvement' || m.status === 'suspect') metricJudgements++;
      if (m.status === 'regression') alarms.push(`${e.entry}:${m.metric.id}`);
      if (m.status === 'suspect') suspects++;
      if (m.status === 'improvement') improvements++;
    }
    for (const p of e.plans) {
      if (p.status === 'unchanged' || p.status === 'changed') planJudgements++;
      if (p.status === 'changed' && report.planChange === 'fail') alarms.push(`${e.entry}:plan:${p.variant}/${p.queryType}`);
    }
  }
  return { runId: report.runId, metricJudgements, planJudgements, alarms, suspects, improvements, judged: metricJudgements > 0, brokenEntries };
}

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += Math.exp(logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, sum);
}

/**
 * One-sided Clopper–Pearson upper bound of a rate after `events` in `trials`: the p at which
 * seeing ≤ events has probability 1 − confidence. With 0 events it is 1 − (1 − confidence)^(1/n)
 * (≈ 3/n at 95 %, the rule of three). null with no trials.
 */
export function upperBound(events: number, trials: number, confidence = 0.95): number | null {
  if (!Number.isInteger(events) || !Number.isInteger(trials) || events < 0 || trials < 0 || events > trials) throw new RangeError(`bad counts ${events}/${trials}`);
  if (trials === 0) return null;
  if (events === trials) return 1;
  const tail = 1 - confidence;
  if (events === 0) return 1 - tail ** (1 / trials);
  let lo = events / trials;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(events, trials, mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface AlarmRates {
  readonly nights: number;
  readonly judgedNights: number;
  readonly nightsWithAlarm: number;
  readonly judgements: number;
  readonly alarms: number;
  readonly perNight: { readonly rate: number | null; readonly upper95: number | null };
  readonly perJudgement: { readonly rate: number | null; readonly upper95: number | null };
}

/** Alarms per judged night and per judgement (metric verdicts + plan checks), with 95 % upper bounds. */
export function alarmRates(nights: readonly NightTally[]): AlarmRates {
  const judged = nights.filter((n) => n.judged);
  const nightsWithAlarm = judged.filter((n) => n.alarms.length > 0).length;
  const judgements = judged.reduce((s, n) => s + n.metricJudgements + n.planJudgements, 0);
  const alarms = judged.reduce((s, n) => s + n.alarms.length, 0);
  return {
    nights: nights.length,
    judgedNights: judged.length,
    nightsWithAlarm,
    judgements,
    alarms,
    perNight: { rate: judged.length ? nightsWithAlarm / judged.length : null, upper95: upperBound(nightsWithAlarm, judged.length) },
    perJudgement: { rate: judgements ? alarms / judgements : null, upper95: upperBound(alarms, judgements) },
  };
}
