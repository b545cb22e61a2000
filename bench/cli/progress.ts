/**
 * A one-line progress bar on stderr (rows, rows/s, ETA). On a terminal it redraws in place; in CI
 * logs it prints a line every 5 seconds instead.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastDraw = -Infinity;
  let lastDone = 0;
  const draw = (done: number, final: boolean): void => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = total > 0 ? (100 * done) / total : 100;
    const width = 24;
    const filled = Math.round((width * pct) / 100);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const line = `${label} ${bar} ${pct.toFixed(1)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows, ${Math.round(rate).toLocaleString('en-US')} rows/s, ${final ? `${elapsed.toFixed(1)} s` : `ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}`}`;
    stream.write(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
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
      draw(lastDone, true);
    },
  };
}
