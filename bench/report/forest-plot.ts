/**
 * The front page's one chart: every comparative KPI's interval against its target (a forest plot).
 * One row per KPI line that carries an interval: the interval as a bar coloured by its outcome, the
 * estimate as a dot, the target as a black bar. Values in the unit the target is written in (% for
 * reductions and improvements). Pure: rendered by render-png.ts like the other charts.
 */
import type { ChartConfiguration } from 'chart.js';
import { parseKpiTarget } from '../analysis/kpi.ts';
import { outcomeOf } from '../analysis/verdict.ts';
import type { CheckRecord as Check } from '../formats/validation-file.ts';
import type { ChartSpec } from './charts.ts';

export const FOREST_PLOT_FILE = 'forest-plot.png';

export interface ForestRow {
  readonly label: string;
  /** In the target's written unit (percent as 36.6, not 0.366). */
  readonly low: number;
  readonly high: number;
  readonly estimate: number;
  readonly target: number;
  readonly targetText: string;
  readonly unit: string;
  readonly outcome: 'pass' | 'fail' | 'inconclusive';
}

const scaleOf = (displayUnit: string): number => ({ '%': 100, ms: 1e-3, s: 1e-6, min: 1 / 6e7 } as Record<string, number>)[displayUnit] ?? 1;

/** The rows of the plot: checks with an interval and a parseable target, in table order. */
export function forestRows(checks: readonly Check[]): ForestRow[] {
  const rows: ForestRow[] = [];
  for (const c of checks) {
    const o = outcomeOf(c);
    if (!c.interval || c.value === null || c.target === null || (o !== 'pass' && o !== 'fail' && o !== 'inconclusive')) continue;
    let t;
    try {
      t = parseKpiTarget(c.target);
    } catch {
      continue;
    }
    const k = scaleOf(t.displayUnit);
    rows.push({ label: c.metric, low: c.interval.low * k, high: c.interval.high * k, estimate: c.value * k, target: t.value * k, targetText: c.target, unit: t.displayUnit, outcome: o });
  }
  return rows;
}

export const OUTCOME_COLOR: Readonly<Record<ForestRow['outcome'], string>> = { pass: '#2e7d32', fail: '#c62828', inconclusive: '#ef6c00' };

const short = (s: string, n = 60): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The chart, or null when no KPI has an interval. */
export function forestPlotSpec(rows: readonly ForestRow[]): ChartSpec | null {
  if (!rows.length) return null;
  const labels = rows.map((r) => `${short(r.label, 48)} (${r.targetText})`);
  const units = [...new Set(rows.map((r) => r.unit))];
  const config: ChartConfiguration = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        // Floating bars [low, high]: the 95% interval.
        { type: 'bar', label: '95% interval', data: rows.map((r) => [r.low, r.high]) as unknown as number[], backgroundColor: rows.map((r) => `${OUTCOME_COLOR[r.outcome]}99`), borderColor: rows.map((r) => OUTCOME_COLOR[r.outcome]), borderWidth: 1, barPercentage: 0.5 },
        { type: 'scatter', label: 'estimate', data: rows.map((r, i) => ({ x: r.estimate, y: labels[i] })) as never, backgroundColor: '#212529', pointRadius: 4 },
        { type: 'scatter', label: 'target', data: rows.map((r, i) => ({ x: r.target, y: labels[i] })) as never, pointStyle: 'line', pointRotation: 90, pointRadius: 14, borderColor: '#000000', borderWidth: 3 },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: false,
      animation: false,
      plugins: {
        title: { display: true, text: 'Comparative KPIs: 95% interval against the target (green ✓ clears it, red ✗ misses it, orange ? straddles it)' },
        legend: { display: true, position: 'bottom' },
      },
      scales: {
        x: { title: { display: true, text: units.length === 1 ? `value (${units[0] || 'as written in the target'})` : 'value in the unit of each target' } },
        y: { type: 'category' },
      },
    },
  };
  return {
    file: FOREST_PLOT_FILE,
    title: 'KPI intervals against their targets',
    caption: 'Each bar is a comparative KPI\'s 95% paired interval over repetitions, the dot its estimate, the black mark its target. A KPI passes only when the whole bar clears the mark.',
    width: 1100,
    height: 140 + 44 * rows.length,
    config,
  };
}
