import type pg from 'pg';
import { GeobenchError, InterruptedError } from '../core/errors.ts';
import { ledgerTable, manifestTable } from '../db/schema.ts';
import { BASELINE_TAG, BASELINE_VERSION, baselineChecksum } from '../migrate/catalog.ts';
import type { ChecksumValue } from './checksum.ts';

/**
 * The dataset manifest lives in the database next to the data it describes (geobench schema), so
 * `dataset verify` works against whichever server holds the data. One row.
 */
export interface Manifest {
  readonly status: 'incomplete' | 'complete';
  readonly seed: number;
  readonly scale: number;
  readonly totalRows: number;
  readonly chunkRows: number;
  readonly generatorVersion: number;
  readonly workers: number;
  readonly checksum: ChecksumValue | null;
  /** per chunk index: checksum of that chunk's rows */
  readonly chunks: ChecksumValue[] | null;
  readonly startedAt: Date;
  readonly completedAt: Date | null;
  readonly loadSeconds: number | null;
  readonly indexSeconds: number | null;
  readonly note: string | null;
  /** Provenance of an imported dataset (bench/dataset/importer.ts); null for generated data. */
  readonly source: ImportProvenance | null;
}

/** Where an imported dataset came from: recorded once at import, never changed. */
export interface ImportProvenance {
  readonly from: string;
  /** The server it was read from (credentials redacted). */
  readonly server: string;
  readonly map: Record<string, string>;
  readonly sample: { readonly fraction: number; readonly seed: number } | null;
  readonly sourceRows: number;
  readonly importedAt: string;
}

/** generator_version of an imported dataset: never equal to a generator's, so prepare never mistakes it for generated data. */
export const IMPORTED_GENERATOR_VERSION = 0;

export const manifestDdl = (schema: string): string => `CREATE TABLE ${manifestTable(schema)} (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  status text NOT NULL CHECK (status IN ('incomplete', 'complete')),
  seed bigint NOT NULL,
  scale double precision NOT NULL,
  total_rows bigint NOT NULL,
  chunk_rows integer NOT NULL,
  generator_version integer NOT NULL,
  workers integer NOT NULL,
  checksum jsonb,
  chunks jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  load_seconds double precision,
  index_seconds double precision,
  note text,
  source jsonb
)`;

export async function readManifest(client: pg.Client, schema: string): Promise<Manifest | undefined> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [manifestTable(schema)]);
  if (!exists.rows[0].ok) return undefined;
  const res = await client.query(`SELECT * FROM ${manifestTable(schema)}`);
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    status: r.status,
    seed: Number(r.seed),
    scale: r.scale,
    totalRows: Number(r.total_rows),
    chunkRows: r.chunk_rows,
    generatorVersion: r.generator_version,
    workers: r.workers,
    checksum: r.checksum,
    chunks: r.chunks,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    loadSeconds: r.load_seconds,
    indexSeconds: r.index_seconds,
    note: r.note,
    source: r.source ?? null,
  };
}

/** The manifest of a complete dataset, or a clear error saying why there is none. */
export async function requireCompleteManifest(client: pg.Client, schema: string, where: string): Promise<Manifest> {
  const manifest = await readManifest(client, schema);
  if (!manifest) {
    throw new GeobenchError(`no dataset manifest in ${where}`, { hint: 'run `geobench dataset generate --scale S --seed N` first' });
  }
  if (manifest.status !== 'complete' || !manifest.checksum || !manifest.chunks) {
    throw new GeobenchError(`the dataset in ${where} is incomplete (${manifest.note ?? 'generation did not finish'})`, {
      hint: 'run `geobench dataset generate` again; it starts clean',
    });
  }
  return manifest;
}

/**
 * A dataset load (generate or import) that did not finish: the manifest keeps status 'loading' with
 * the reason in its note (a re-run starts clean), and the caller gets the error to exit with.
 */
export async function markLoadFailed(admin: pg.Client, schema: string, err: unknown, aborted: boolean, what: string): Promise<never> {
  const interrupted = aborted || err instanceof InterruptedError;
  const note = interrupted ? 'interrupted by the user' : `failed: ${(err as Error).message}`.slice(0, 500);
  await admin.query(`UPDATE ${manifestTable(schema)} SET note = $1`, [note]).catch(() => {});
  if (interrupted) throw new InterruptedError(`${what}; the partial dataset is marked incomplete and a re-run starts clean`);
  if (err instanceof GeobenchError) throw err;
  throw new GeobenchError(`${what} failed: ${(err as Error).message}`, { cause: err });
}

/**
 * A finished dataset load (generate or import): in one transaction, the baseline's ledger row and the
 * manifest marked complete with the content checksum and the load's timings.
 */
export async function markLoadComplete(admin: pg.Client, schema: string, sqlDir: string, load: { checksum: unknown; perChunk: unknown; copySeconds: number; indexSeconds: number }): Promise<void> {
  await admin.query('BEGIN');
  await admin.query(`INSERT INTO ${ledgerTable(schema)} (version, tag, name, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [
    BASELINE_VERSION, BASELINE_TAG, 'baseline_schema', baselineChecksum(sqlDir), (load.copySeconds + load.indexSeconds) * 1000,
  ]);
  await admin.query(
    `UPDATE ${manifestTable(schema)} SET status = 'complete', checksum = $1, chunks = $2, completed_at = now(), load_seconds = $3, index_seconds = $4, note = NULL`,
    [JSON.stringify(load.checksum), JSON.stringify(load.perChunk), load.copySeconds, load.indexSeconds],
  );
  await admin.query('COMMIT');
}
