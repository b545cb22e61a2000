/**
 * A one-line progress bar on stderr (done/total in its unit, rate, ETA). On a terminal it redraws in
 * place; in CI logs (no terminal) it prints a plain line every 5 seconds instead, and one at the end.
 * Used by `dataset generate` directly, and registered as the display of every long step
 * (verify, migrations, generate inside validators: bench/core/step-progress.ts).
 */
import type { StepProgress, StepProgressSpec } from '../core/step-progress.ts';

export type Progress = StepProgress;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The terminal line a bar was drawn on and not yet ended, if any (a status line must not append to it). */
let openBar: NodeJS.WriteStream | null = null;

/** Ends a bar's line before another line is written to the terminal; the bar redraws below it. */
export function breakProgressLine(): void {
  openBar?.write('\n');
  openBar = null;
}

/** The text of one progress line. Pure (elapsed given). */
export function progressLine(spec: StepProgressSpec, done: number, elapsedSec: number, final: boolean): string {
  const pct = spec.total > 0 ? Math.min(100, (100 * done) / spec.total) : 100;
  const width = 24;
  const filled = Math.round((width * pct) / 100);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const counts = `${fmt(done)}/${fmt(spec.total)} ${spec.unit}`;
  if (!spec.showRate) return `${spec.label} ${bar} ${counts}, ${elapsedSec.toFixed(1)} s${final ? '' : ' elapsed'}`;
  const rate = elapsedSec > 0 ? done / elapsedSec : 0;
  const eta = rate > 0 ? (spec.total - done) / rate : Infinity;
  const tail = final ? `${elapsedSec.toFixed(1)} s` : `ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}`;
  return `${spec.label} ${bar} ${pct.toFixed(1)}% ${counts}, ${fmt(rate)} ${spec.unit}/s, ${tail}`;
}

export function createStepProgress(spec: StepProgressSpec, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastDraw = -Infinity;
  let lastDone = 0;
  let finished = false;
  const draw = (done: number, final: boolean): void => {
    const line = progressLine(spec, done, (performance.now() - started) / 1000, final);
    if (openBar && openBar !== stream) breakProgressLine();
    stream.write(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
    openBar = tty && !final ? stream : null;
  };
  return {
    update(done) {
      lastDone = done;
      const now = performance.now();
      if (now - lastDraw >= (tty ? 200 : 5000)) {
        lastDraw = now;
        draw(done, false);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      draw(lastDone, true);
    },
  };
}

/** The rows bar of `dataset generate` (COPY). */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  return createStepProgress({ label, total, unit: 'rows', showRate: true }, stream);
}
