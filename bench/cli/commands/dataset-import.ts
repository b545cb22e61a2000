import { InvalidArgumentError, type Command } from 'commander';
import { SQL_DIR } from '../../core/paths.ts';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { parseSeed, parseWorkers } from '../options.ts';
import { createProgress } from '../progress.ts';
import { openDatabase } from '../../db/resolve.ts';
import { resolveExternalTarget } from '../../db/target.ts';
import { importDataset, planImport } from '../../dataset/importer.ts';
import { where } from '../../dataset/verify.ts';

function parseFraction(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 1) throw new InvalidArgumentError('sample must be a share in (0, 1], e.g. 0.1.');
  return value;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface ImportFlags {
  from: string;
  fromDb?: string;
  map?: string;
  ignore?: string;
  sample?: number;
  seed: number;
  workers: number;
  dryRun?: boolean;
}

export function registerDatasetImport(dataset: Command, defaultWorkers: number): void {
  dataset.command('import')
    .description('copy a real table (or a SELECT) into a fresh baseline table of geobench\'s schema, as the dataset (replaces the schema); the source is only read')
    .requiredOption('--from <source>', 'schema.table or a SELECT query on the source server')
    .option('--from-db <url>', 'read the source from this server (default: the --db server)')
    .option('--map <pairs>', 'baseline column = source column, comma-separated, e.g. geom=the_geom,created_at=ts')
    .option('--ignore <columns>', 'source columns to leave out, comma-separated')
    .option('--sample <share>', 'import a reproducible share of the rows (hash of the source id with --seed)', parseFraction)
    .option('--seed <n>', 'seed of the sample and of the parameter sample', parseSeed, 1)
    .option('--workers <n>', 'checksum worker threads', parseWorkers, defaultWorkers)
    .option('--dry-run', 'print rows, bytes, a time estimate and the disk needed; copy nothing')
    .action(async (opts: ImportFlags, cmd: Command) => {
      const signal = interruptSignal();
      const targetOpts = targetOptions(cmd);
      const target = await openDatabase(targetOpts, say);
      const source = opts.fromDb ? resolveExternalTarget({ db: opts.fromDb, allowRemote: targetOpts.allowRemote })! : target;
      const sample = opts.sample !== undefined ? { fraction: opts.sample, seed: opts.seed } : undefined;
      const ignore = opts.ignore?.split(',').map((s) => s.trim()).filter(Boolean);
      if (opts.dryRun) {
        const plan = await planImport(source, { from: opts.from, map: opts.map, ignore, sample });
        console.log(`dry run: would import ${plan.rows} rows from ${opts.from} on ${source.display} into ${where(target)}`);
        console.log(`columns: ${[...plan.columns].map(([k, v]) => `${k}=${v.name}`).join(', ')}`);
        console.log(`bytes in the source (sum of pg_column_size): ${plan.bytes} (${mb(plan.bytes)})`);
        console.log(`time: at least ${plan.sizingSeconds.toFixed(1)} s (one full read of these rows took that long; the copy adds loading, indexes and the checksum pass)`);
        const heap = plan.bytes + 28 * plan.rows;
        console.log(`disk: table ≈ ${mb(heap)} (data + ~28 B of tuple header and line pointer a row), plus the four baseline indexes built after the load`);
        return;
      }
      say(`importing ${opts.from} from ${source.display} into ${where(target)}${sample ? ` (sample ${sample.fraction}, seed ${sample.seed})` : ''}`);
      let progress: ReturnType<typeof createProgress> | undefined;
      const result = await importDataset(source, target, {
        from: opts.from, map: opts.map, ignore, sample, workers: opts.workers,
        sqlDir: process.env.GEOBENCH_SQL_DIR ?? SQL_DIR,
        signal,
        log: say,
        onProgress: (done, total) => {
          progress ??= createProgress('COPY', total);
          progress.update(done);
        },
      }).finally(() => progress?.finish());
      say(`indexes + VACUUM ANALYZE: ${result.indexSeconds.toFixed(1)} s`);
      console.log(`rows ${result.rows} checksum ${result.checksum.hash}`);
    });
}
