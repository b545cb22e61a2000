import os from 'node:os';
import type { Command } from 'commander';
import { SQL_DIR } from '../../core/paths.ts';
import { GeobenchError } from '../../core/errors.ts';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { parseScale, parseSeed, parseWorkers } from '../options.ts';
import { createProgress } from '../progress.ts';
import { openDatabase } from '../../db/resolve.ts';
import { withClient } from '../../db/connect.ts';
import { generateDataset } from '../../dataset/loader.ts';
import { readManifest } from '../../dataset/manifest.ts';
import { formatIdRanges, verifyDataset, where } from '../../dataset/verify.ts';
import { registerDatasetImport } from './dataset-import.ts';

const defaultWorkers = Math.max(1, Math.min(4, os.availableParallelism() - 1)) || 1;

export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('generate or import, verify and describe the geometrias dataset');

  dataset.command('generate')
    .description('generate the deterministic dataset and COPY it into a fresh baseline table (replaces the geobench schema)')
    .option('--scale <s>', 'dataset size; 1.0 = 12,400,000 geometries', parseScale, 0.01)
    .option('--seed <n>', 'random seed: same seed + scale = same rows', parseSeed, 1)
    .option('--workers <n>', 'generator worker threads', parseWorkers, defaultWorkers)
    .action(async (opts: { scale: number; seed: number; workers: number }, cmd: Command) => {
      const signal = interruptSignal();
      const target = await openDatabase(targetOptions(cmd), say);
      say(`generating scale ${opts.scale} seed ${opts.seed} with ${opts.workers} worker(s) into ${where(target)}`);
      let progress: ReturnType<typeof createProgress> | undefined;
      const result = await generateDataset(target, {
        ...opts,
        // The baseline schema comes from the same sql/ folder migrate uses (GEOBENCH_SQL_DIR overrides it).
        sqlDir: process.env.GEOBENCH_SQL_DIR ?? SQL_DIR,
        signal,
        log: say,
        onProgress: (done, total) => {
          progress ??= createProgress('COPY', total);
          progress.update(done);
        },
      }).finally(() => progress?.finish());
      say(`indexes + VACUUM ANALYZE: ${result.indexSeconds.toFixed(1)} s`);
      console.log(`rows ${result.totalRows} checksum ${result.checksum.hash}`);
    });

  registerDatasetImport(dataset, defaultWorkers);

  dataset.command('verify')
    .description('recompute the content checksum from the database and compare it with the manifest')
    .option('--workers <n>', 'verifier worker threads (each streams an id range)', parseWorkers, defaultWorkers)
    .action(async (opts: { workers: number }, cmd: Command) => {
      const target = await openDatabase(targetOptions(cmd), say);
      say(`verifying the dataset of ${where(target)} against its manifest with ${opts.workers} worker(s)`);
      const r = await verifyDataset(target, { workers: opts.workers, log: say });
      const rate = Math.round(r.actual.rows / Math.max(r.seconds, 1e-3));
      say(`checked ${r.actual.rows.toLocaleString('en-US')} rows in ${r.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} rows/s)`);
      if (r.rowsOutsideRange > 0) say(`${r.rowsOutsideRange} row(s) outside the dataset id range (workload writes) were not checked`);
      if (r.ok) {
        console.log(`verify OK: ${r.actual.rows} rows, checksum ${r.actual.hash} matches the manifest`);
        return;
      }
      const lines = [`verify FAILED: expected ${r.manifest.checksum!.rows} rows / ${r.manifest.checksum!.hash}, found ${r.actual.rows} rows / ${r.actual.hash}`];
      if (r.mismatches.changed.length) lines.push(`  changed rows (id): ${formatIdRanges(r.mismatches.changed)}`);
      if (r.mismatches.missing.length) lines.push(`  missing rows (id): ${formatIdRanges(r.mismatches.missing)}`);
      if (r.mismatches.duplicated.length) lines.push(`  duplicated rows (id): ${formatIdRanges(r.mismatches.duplicated)}`);
      if (r.manifest.source) {
        // An imported dataset cannot be regenerated row by row: name the id ranges whose checksum differs.
        const ranges = r.badChunks.map((c) => `${c * r.manifest.chunkRows + 1}-${Math.min((c + 1) * r.manifest.chunkRows, r.manifest.totalRows)}`);
        lines.push(`  imported rows differ in id range(s): ${ranges.join(', ')}`);
      }
      throw new GeobenchError(lines.join('\n'));
    });

  dataset.command('info')
    .description('print the dataset manifest (seed, scale, rows, checksum, status)')
    .action(async (_opts: unknown, cmd: Command) => {
      const target = await openDatabase(targetOptions(cmd), say);
      const manifest = await withClient(target, (c) => readManifest(c, target.schema));
      if (!manifest) throw new GeobenchError(`no dataset manifest in ${where(target)}`, { hint: 'run `geobench dataset generate`' });
      console.log(JSON.stringify({ ...manifest, chunks: manifest.chunks?.length ?? null }, null, 2));
    });
}
