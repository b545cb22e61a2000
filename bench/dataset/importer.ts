import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { GeobenchError, InterruptedError } from '../core/errors.ts';
import { connect } from '../db/connect.ts';
import { ledgerDdl, manifestTable, searchPath } from '../db/schema.ts';
import { dropOwnSchema } from '../db/drop-schema.ts';
import type { DbTarget } from '../db/target.ts';
import { baselineFiles } from '../migrate/catalog.ts';
import { splitStatements } from '../migrate/sql-split.ts';
import type { ChecksumValue } from './checksum.ts';
import { checksumByChunks } from './chunk-checksums.ts';
import { countingTransform } from './copy-row-counter.ts';
import { COPY_COLUMNS } from './generator.ts';
import { importSelect, parseColumnMap, parseImportSource, resolveColumns, sizeQuery, type BaselineColumn, type ImportSource, type Sample, type SourceColumn } from './import-source.ts';
import { IMPORTED_GENERATOR_VERSION, manifestDdl, markLoadComplete, markLoadFailed, type ImportProvenance } from './manifest.ts';
import { CHUNK_ROWS, ROWS_AT_SCALE_1 } from './model.ts';
import { writeParamSample } from './param-sample.ts';

export interface ImportOptions {
  /** --from: schema.table or a SELECT */
  readonly from: string;
  /** --map baseline=source,… */
  readonly map?: string | undefined;
  /** --ignore: source columns left out on purpose */
  readonly ignore?: readonly string[] | undefined;
  readonly sample?: Sample | undefined;
  readonly workers: number;
  readonly sqlDir: string;
  readonly signal?: AbortSignal | undefined;
  readonly log?: (line: string) => void;
  readonly onProgress?: (rows: number, totalRows: number) => void;
}

/** What `--dry-run` reports: measured on the source, nothing written. */
export interface ImportPlan {
  readonly source: ImportSource;
  readonly columns: ReadonlyMap<BaselineColumn, SourceColumn>;
  readonly rows: number;
  /** Sum of pg_column_size over the rows to copy: the data's size in the source. */
  readonly bytes: number;
  /** Seconds the sizing pass (one full read of the rows to copy) took: a lower bound of the copy time. */
  readonly sizingSeconds: number;
  readonly select: string;
}

export interface ImportResult {
  readonly rows: number;
  readonly checksum: ChecksumValue;
  readonly copySeconds: number;
  readonly indexSeconds: number;
}

/**
 * Opens the source in a READ ONLY, REPEATABLE READ transaction (one snapshot for the count and the
 * copy; the server itself refuses any write), resolves the columns and measures what would be copied.
 */
export async function planImport(source: DbTarget, options: Pick<ImportOptions, 'from' | 'map' | 'ignore' | 'sample'>, client?: pg.Client): Promise<ImportPlan> {
  const parsed = parseImportSource(options.from);
  const map = parseColumnMap(options.map);
  const own = client ?? (await openSourceTransaction(source));
  try {
    const relation = parsed.kind === 'table' ? `"${parsed.schema}"."${parsed.table}"` : `(${parsed.sql}) AS src`;
    let described: pg.QueryResult;
    try {
      described = await own.query(`SELECT * FROM ${relation} LIMIT 0`);
    } catch (err) {
      throw new GeobenchError(`cannot read the import source ${options.from}: ${(err as Error).message}`, { exitCode: 2 });
    }
    const types = await own.query('SELECT oid, typname FROM pg_type WHERE oid = ANY($1::oid[])', [described.fields.map((f) => f.dataTypeID)]);
    const typeName = new Map<number, string>(types.rows.map((r) => [Number(r.oid), r.typname as string]));
    const columns = resolveColumns(described.fields.map((f) => ({ name: f.name, type: typeName.get(f.dataTypeID) ?? String(f.dataTypeID) })), map, options.ignore);
    const sizingStarted = performance.now();
    const size = (await own.query(sizeQuery(parsed, columns.get('id')!.name, options.sample))).rows[0];
    const sizingSeconds = (performance.now() - sizingStarted) / 1000;
    const rows = Number(size.rows);
    if (Number(size.ids) !== rows) {
      throw new GeobenchError(`the source column ${columns.get('id')!.name} (mapped to id) is not unique: ${rows} rows, ${size.ids} distinct values`, {
        exitCode: 2,
        hint: 'ids are renumbered 1..N in source-id order, which needs a unique id; map a unique column with --map id=<column>',
      });
    }
    if (rows === 0) throw new GeobenchError(`the import source ${options.from} has no rows${options.sample ? ' in the sample' : ''}`, { exitCode: 2 });
    return { source: parsed, columns, rows, bytes: Number(size.bytes), sizingSeconds, select: importSelect(parsed, columns, options.sample) };
  } finally {
    if (!client) await own.end().catch(() => {});
  }
}

async function openSourceTransaction(source: DbTarget): Promise<pg.Client> {
  const client = await connect(source, 'geobench-import-source');
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // timestamp (without time zone) columns are read as UTC, whatever the server's default.
  await client.query(`SET LOCAL TimeZone = 'UTC'`);
  return client;
}

/**
 * Imports rows into a fresh baseline table in geobench's own schema: one binary COPY out of the
 * source piped into one COPY in (backpressure through the pipe), indexes, then the content
 * checksum computed exactly as `dataset verify` computes it, a seeded parameter sample, and the
 * manifest with provenance. Writes go only to `target.schema` (assertOwnSchema).
 */
export async function importDataset(source: DbTarget, target: DbTarget, options: ImportOptions): Promise<ImportResult> {
  const log = options.log ?? (() => {});
  const reader = await openSourceTransaction(source);
  const admin = await connect(target, 'geobench-import');
  const loader = await connect(target, 'geobench-import-copy');
  let streams: Array<{ destroy(err?: Error): void }> = [];
  const onAbort = (): void => streams.forEach((s) => s.destroy(new InterruptedError('dataset import')));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const plan = await planImport(source, options, reader);
    const provenance: ImportProvenance = {
      from: options.from, server: source.display, map: Object.fromEntries([...plan.columns].map(([k, v]) => [k, v.name])),
      sample: options.sample && options.sample.fraction < 1 ? { fraction: options.sample.fraction, seed: options.sample.seed } : null,
      sourceRows: plan.rows, importedAt: new Date().toISOString(),
    };
    await resetImportSchema(admin, target.schema, plan.rows, options, provenance);

    const copyStarted = performance.now();
    await loader.query('BEGIN');
    await loader.query(`SET LOCAL search_path = ${searchPath(target.schema)}`);
    await loader.query('SET LOCAL synchronous_commit = off');
    for (const st of splitStatements(fs.readFileSync(baselineFiles(options.sqlDir)[0]!, 'utf8'))) await loader.query(st.text);
    const out = reader.query(copyTo(`COPY (${plan.select}) TO STDOUT (FORMAT binary)`));
    const counter = countingTransform((rows) => options.onProgress?.(rows, plan.rows));
    const into = loader.query(copyFrom(`COPY geometrias (${COPY_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT binary, FREEZE)`));
    streams = [out, counter, into];
    await pipeline(out, counter, into);
    if (counter.counter.rows !== plan.rows) throw new GeobenchError(`copied ${counter.counter.rows} rows, expected ${plan.rows}`);
    await loader.query('COMMIT');
    await reader.query('COMMIT');
    const copySeconds = (performance.now() - copyStarted) / 1000;
    log(`copied ${plan.rows.toLocaleString('en-US')} rows in ${copySeconds.toFixed(1)} s (${Math.round(plan.rows / copySeconds).toLocaleString('en-US')} rows/s)`);

    const indexStarted = performance.now();
    await loader.query(`SET search_path = ${searchPath(target.schema)}`);
    for (const st of splitStatements(fs.readFileSync(baselineFiles(options.sqlDir)[1]!, 'utf8'))) {
      if (options.signal?.aborted) throw new InterruptedError('dataset import (building indexes)');
      await loader.query(st.text);
    }
    await loader.query('VACUUM (ANALYZE) geometrias');
    const indexSeconds = (performance.now() - indexStarted) / 1000;

    const { total, perChunk } = await checksumByChunks(target, plan.rows, options.workers);
    const paramSeed = options.sample?.seed ?? 1;
    await writeParamSample(loader, target.schema, paramSeed);
    await markLoadComplete(admin, target.schema, options.sqlDir, { checksum: total, perChunk, copySeconds, indexSeconds });
    return { rows: plan.rows, checksum: total, copySeconds, indexSeconds };
  } catch (err) {
    await loader.query('ROLLBACK').catch(() => {});
    await admin.query('ROLLBACK').catch(() => {});
    return await markLoadFailed(admin, target.schema, err, options.signal?.aborted === true, 'dataset import');
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await reader.end().catch(() => {});
    await loader.end().catch(() => {});
    await admin.end().catch(() => {});
  }
}

/** Drops and recreates one of geobench's own schemas with the ledger and an 'incomplete' manifest carrying the provenance. */
async function resetImportSchema(client: pg.Client, schema: string, rows: number, options: ImportOptions, provenance: ImportProvenance): Promise<void> {
  await client.query('BEGIN');
  await dropOwnSchema(client, schema);
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(ledgerDdl(schema));
  await client.query(manifestDdl(schema));
  await client.query(
    `INSERT INTO ${manifestTable(schema)} (status, seed, scale, total_rows, chunk_rows, generator_version, workers, note, source)
     VALUES ('incomplete', $1, $2, $3, $4, $5, $6, 'import in progress', $7)`,
    [options.sample?.seed ?? 0, rows / ROWS_AT_SCALE_1, rows, CHUNK_ROWS, IMPORTED_GENERATOR_VERSION, options.workers, JSON.stringify(provenance)],
  );
  await client.query('COMMIT');
}
