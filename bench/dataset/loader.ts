import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { GeobenchError, InterruptedError } from '../core/errors.ts';
import { SQL_DIR } from '../core/paths.ts';
import { connect } from '../db/connect.ts';
import { ledgerDdl, manifestTable, searchPath } from '../db/schema.ts';
import { dropOwnSchema } from '../db/drop-schema.ts';
import type { DbTarget } from '../db/target.ts';
import { baselineFiles } from '../migrate/catalog.ts';
import { firstCodeLine, splitStatements } from '../migrate/sql-split.ts';
import { createWorkerPool } from '../runtime/pool.ts';
import { stepProgress } from '../core/step-progress.ts';
import { recordSteps, stepKey } from '../core/step-rates.ts';
import { schemaBytes } from '../db/schema-footprint.ts';
import { Checksum, type ChecksumValue } from './checksum.ts';
import { COPY_COLUMNS } from './generator.ts';
import { manifestDdl, markLoadComplete, markLoadFailed } from './manifest.ts';
import { CHUNK_ROWS, GENERATOR_VERSION, chunkCount, rowsForScale } from './model.ts';
import type { generate } from './worker.ts';

export interface GenerateOptions {
  readonly scale: number;
  readonly seed: number;
  readonly workers: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly onProgress?: (rowsLoaded: number, totalRows: number) => void;
  readonly sqlDir?: string;
}

export interface GenerateResult {
  readonly totalRows: number;
  readonly checksum: ChecksumValue;
  readonly copySeconds: number;
  readonly indexSeconds: number;
  readonly rowsPerSecond: number;
}

const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Generates the dataset in a worker pool and streams it into a fresh baseline table with one
 * binary COPY. Chunks are written in index order (a bounded reorder window), so the physical
 * order, too, is the same for any worker count. The manifest is written 'incomplete' first and
 * 'complete' last: an interrupted load is visible as such, and a re-run starts clean.
 */
export async function generateDataset(target: DbTarget, options: GenerateOptions): Promise<GenerateResult> {
  const log = options.log ?? (() => {});
  const sqlDir = options.sqlDir ?? SQL_DIR;
  const totalRows = rowsForScale(options.scale);
  const chunks = chunkCount(totalRows);
  const admin = await connect(target, 'geobench-dataset');
  const loader = await connect(target, 'geobench-copy');
  const pool = createWorkerPool(new URL('./worker.ts', import.meta.url), options.workers);
  let copyStream: ReturnType<typeof copyFrom> | undefined;
  let copyOpen = false; // the server is in COPY IN on `loader` until the stream finished
  const onAbort = (): void => {
    copyStream?.destroy(new InterruptedError('dataset generate'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await resetSchema(admin, target.schema, options, totalRows);
    const total = new Checksum();
    const perChunk: ChecksumValue[] = [];

    const copyStarted = performance.now();
    await loader.query('BEGIN');
    await loader.query(`SET LOCAL search_path = ${searchPath(target.schema)}`);
    await loader.query('SET LOCAL synchronous_commit = off');
    await runFile(loader, baselineFiles(sqlDir)[0]!);
    copyStream = loader.query(copyFrom(`COPY geometrias (${COPY_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT binary, FREEZE)`));
    copyOpen = true;
    const stream = copyStream;
    // Errors are recorded, not raced against: a Promise.race with a long-lived promise would keep
    // every chunk it ever resolved alive (one reaction per race) — 200+ MB at scale 0.1.
    let failure: Error | undefined;
    stream.on('error', (err: Error) => (failure ??= err));
    const write = async (buf: Uint8Array): Promise<void> => {
      if (failure) throw failure;
      if (!stream.write(buf)) await once(stream, 'drain'); // once() rejects if 'error' comes first
    };
    await write(COPY_HEADER);

    // Keep a bounded window of chunks in flight; write them strictly in order.
    const window = options.workers * 2 + 1;
    const inflight: Array<Promise<ReturnType<typeof generate>>> = [];
    let next = 0;
    let loaded = 0;
    // A caller's own bar (dataset generate), else the registered display (generate inside a validator).
    const shown = options.onProgress ? null : stepProgress({ label: `generate ${target.schema}`, total: totalRows, unit: 'rows', showRate: true });
    const onProgress = options.onProgress ?? ((done: number) => shown!.update(done));
    const submit = (): void => {
      while (next < chunks && inflight.length < window) {
        inflight.push(pool.run<ReturnType<typeof generate>>('generate', { seed: options.seed, totalRows, chunkIndex: next++ }));
      }
    };
    submit();
    while (inflight.length > 0) {
      if (options.signal?.aborted) throw new InterruptedError('dataset generate');
      const chunk = await inflight.shift()!;
      submit();
      await write(chunk.copy);
      total.add(chunk.checksum);
      perChunk[chunk.chunkIndex] = chunk.checksum;
      loaded += chunk.rows;
      onProgress(loaded, totalRows);
    }
    shown?.finish();
    stream.end(COPY_TRAILER);
    if (failure) throw failure;
    await once(stream, 'finish');
    copyOpen = false;
    await loader.query('COMMIT');
    const copySeconds = (performance.now() - copyStarted) / 1000;
    log(`loaded ${totalRows.toLocaleString('en-US')} rows in ${copySeconds.toFixed(1)} s (${Math.round(totalRows / copySeconds).toLocaleString('en-US')} rows/s)`);

    const indexStarted = performance.now();
    await loader.query(`SET search_path = ${searchPath(target.schema)}`);
    const indexStatements = splitStatements(fs.readFileSync(baselineFiles(sqlDir)[1]!, 'utf8'));
    const indexProgress = stepProgress({ label: `indexes ${target.schema}`, total: indexStatements.length + 1, unit: 'statements', showRate: false });
    for (const [i, st] of indexStatements.entries()) {
      if (options.signal?.aborted) throw new InterruptedError('dataset generate (building indexes)');
      const t = performance.now();
      await loader.query(st.text);
      indexProgress.update(i + 1);
      log(`  ${firstCodeLine(st.text).slice(0, 80)} — ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    await loader.query('VACUUM (ANALYZE) geometrias');
    indexProgress.update(indexStatements.length + 1);
    indexProgress.finish();
    const indexSeconds = (performance.now() - indexStarted) / 1000;

    await markLoadComplete(admin, target.schema, sqlDir, { checksum: total.value(), perChunk, copySeconds, indexSeconds });
    // The load is complete: measuring and keeping its rates must not turn it into a failure.
    const bytes = await schemaBytes(admin, target.schema).catch(() => null);
    const unrecorded = recordSteps([
      { key: stepKey.generateCopy, rows: totalRows, seconds: copySeconds },
      { key: stepKey.generateIndexes, rows: totalRows, seconds: indexSeconds },
      ...(bytes === null ? [] : [{ key: stepKey.size('baseline'), rows: totalRows, bytes }]),
    ]);
    if (unrecorded) log(unrecorded);
    return { totalRows, checksum: total.value(), copySeconds, indexSeconds, rowsPerSecond: totalRows / copySeconds };
  } catch (err) {
    // Stopped mid-COPY (Ctrl-C while a chunk was generated or written): the server may still wait
    // for COPY data, and a ROLLBACK would queue behind that COPY forever (the hang the fault suite
    // found). Closing the connection (finally) makes the server roll the transaction back.
    if (!copyOpen) await loader.query('ROLLBACK').catch(() => {});
    return await markLoadFailed(admin, target.schema, err, options.signal?.aborted === true, 'dataset generate');
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pool.destroy().catch(() => {});
    await loader.end().catch(() => {});
    await admin.end().catch(() => {});
  }
}

async function runFile(client: pg.Client, file: string): Promise<void> {
  for (const st of splitStatements(fs.readFileSync(file, 'utf8'))) {
    try {
      await client.query(st.text);
    } catch (err) {
      throw new GeobenchError(`${path.basename(file)} failed at line ${st.line}: ${(err as Error).message}`);
    }
  }
}

/** Drops and recreates one of geobench's own schemas (nothing else), with the ledger and an 'incomplete' manifest. */
async function resetSchema(client: pg.Client, schema: string, options: GenerateOptions, totalRows: number): Promise<void> {
  await client.query('BEGIN');
  await dropOwnSchema(client, schema);
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(ledgerDdl(schema));
  await client.query(manifestDdl(schema));
  await client.query(
    `INSERT INTO ${manifestTable(schema)} (status, seed, scale, total_rows, chunk_rows, generator_version, workers, note)
     VALUES ('incomplete', $1, $2, $3, $4, $5, $6, 'generation in progress')`,
    [options.seed, options.scale, totalRows, CHUNK_ROWS, GENERATOR_VERSION, options.workers],
  );
  await client.query('COMMIT');
}
