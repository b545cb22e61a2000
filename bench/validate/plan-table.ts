/** The sign-off plan as text: one line a step, a subtotal a part, the totals and the disk verdict. Pure. */
import type { DiskCheck, PlanRow, PlanTotals } from './signoff-plan.ts';

export const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;
const signedGb = (bytes: number): string => (Math.abs(bytes) < 5e6 ? '0' : `${bytes > 0 ? '+' : '−'}${gb(Math.abs(bytes))}`);

export function duration(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds < 9.95) return `${seconds.toFixed(1)} s`;
  // Rounded once, then split: 1259.6 s is "21 min 0 s", never "20 min 60 s".
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m} min ${whole - 60 * m} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function pad(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** The step table with a subtotal line after each part. */
export function formatPlanTable(rows: readonly PlanRow[]): string {
  const lines: string[][] = [['part', 'step', 'what', 'time', 'disk', 'source of the figure']];
  const parts = [...new Set(rows.map((r) => r.part))];
  for (const part of parts) {
    const mine = rows.filter((r) => r.part === part);
    for (const r of mine) lines.push([part, r.step, r.what, duration(r.seconds), signedGb(r.diskBytes), r.source]);
    const sec = mine.reduce((t, r) => t + (r.seconds ?? 0), 0);
    lines.push(['', '', `${part} in all`, duration(sec), signedGb(mine.reduce((t, r) => t + r.diskBytes, 0)), '']);
  }
  return pad(lines).join('\n');
}

export function formatTotals(t: PlanTotals): string {
  const unknown = t.unknownSteps ? ` (${t.unknownSteps} step${t.unknownSteps > 1 ? 's' : ''} without any figure, not counted)` : '';
  return `estimated total: ${duration(t.seconds)}${unknown}; disk in use above now: peak ${signedGb(t.peakBytes)}, ${signedGb(t.finalBytes)} at the end`;
}

/** The disk verdict line (or the refusal message's core): both numbers in GB. */
export function formatDisk(d: DiskCheck, where: string): string {
  const needed = `needs ${gb(d.neededBytes)} (peak ${gb(Math.max(0, d.peakBytes))} + WAL/temp headroom ${gb(d.walBytes)})`;
  if (d.freeBytes === null) return `disk: ${needed}; ${where}: the free space cannot be checked from here, not checked`;
  const verdict = d.refuse ? 'NOT ENOUGH' : 'ok';
  return `disk: ${needed}; free ${gb(d.freeBytes)} on ${where}, ${gb(d.marginBytes)} of it kept free: ${verdict}`;
}
