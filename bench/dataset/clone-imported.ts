import fs from 'node:fs';
import { GeobenchError } from '../core/errors.ts';
import { withClient } from '../db/connect.ts';
import { ledgerDdl, ledgerTable, manifestTable, searchPath } from '../db/schema.ts';
import { dropOwnSchema } from '../db/drop-schema.ts';
import { withSchema, type DbTarget } from '../db/target.ts';
import { BASELINE_TAG, BASELINE_VERSION, baselineChecksum, baselineFiles } from '../migrate/catalog.ts';
import { splitStatements } from '../migrate/sql-split.ts';
import { sameChecksum } from './checksum.ts';
import { checksumByChunks } from './chunk-checksums.ts';
import { COPY_COLUMNS } from './generator.ts';
import { manifestDdl, requireCompleteManifest, type Manifest } from './manifest.ts';
import { paramSampleTable } from './param-sample.ts';

/**
 * An imported dataset cannot be regenerated from a seed: a variant schema gets a copy of it instead
 * (same server, INSERT … SELECT in id order from the import schema, whatever layout that schema has
 * been migrated to), in the baseline layout, with the same manifest and parameter sample. The copy's
 * checksum is recomputed and must equal the import's, or the copy is refused.
 */
export async function cloneImportedDataset(server: DbTarget, fromSchema: string, toSchema: string, options: { sqlDir: string; workers: number; log?: (l: string) => void }): Promise<Manifest> {
  if (fromSchema === toSchema) throw new GeobenchError(`cannot copy the imported dataset of schema ${fromSchema} onto itself`, { exitCode: 2 });
  const from = withSchema(server, fromSchema);
  const to = withSchema(server, toSchema);
  const source = await withClient(from, (c) => requireCompleteManifest(c, fromSchema, `${server.display} schema ${fromSchema}`));
  if (!source.source) throw new GeobenchError(`schema ${fromSchema} holds a generated dataset, not an imported one`, { exitCode: 2, hint: 'use dataset.scale/seed for generated data; dataset.import names a schema filled by `geobench dataset import`' });
  const started = performance.now();
  await withClient(to, async (c) => {
    await c.query('BEGIN');
    await dropOwnSchema(c, toSchema);
    await c.query(`CREATE SCHEMA ${toSchema}`);
    await c.query(ledgerDdl(toSchema));
    await c.query(manifestDdl(toSchema));
    await c.query(`INSERT INTO ${manifestTable(toSchema)} SELECT * FROM ${manifestTable(fromSchema)}`);
    await c.query(`UPDATE ${manifestTable(toSchema)} SET status = 'incomplete', note = $1`, [`copy of the imported dataset in ${fromSchema} in progress`]);
    await c.query(`SET LOCAL search_path = ${searchPath(toSchema)}`);
    for (const st of splitStatements(fs.readFileSync(baselineFiles(options.sqlDir)[0]!, 'utf8'))) await c.query(st.text);
    const cols = COPY_COLUMNS.join(', ');
    await c.query(`INSERT INTO ${toSchema}.geometrias (${cols}) SELECT ${cols} FROM ${fromSchema}.geometrias WHERE id BETWEEN 1 AND $1 ORDER BY id`, [source.totalRows]);
    await c.query(`CREATE TABLE ${paramSampleTable(toSchema)} AS SELECT * FROM ${paramSampleTable(fromSchema)}`);
    await c.query('COMMIT');
    await c.query(`SET search_path = ${searchPath(toSchema)}`);
    for (const st of splitStatements(fs.readFileSync(baselineFiles(options.sqlDir)[1]!, 'utf8'))) await c.query(st.text);
    await c.query('VACUUM (ANALYZE) geometrias');
  });
  const copied = await checksumByChunks(to, source.totalRows, options.workers);
  if (!sameChecksum(copied.total, source.checksum!)) {
    throw new GeobenchError(`the copy of the imported dataset in ${toSchema} has checksum ${copied.total.hash}, the import ${source.checksum!.hash}: the import schema ${fromSchema} was changed`, {
      hint: `run \`geobench --schema ${fromSchema} dataset verify\`, then import again`,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await withClient(to, async (c) => {
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${ledgerTable(toSchema)} (version, tag, name, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [BASELINE_VERSION, BASELINE_TAG, 'baseline_schema', baselineChecksum(options.sqlDir), seconds * 1000]);
    await c.query(`UPDATE ${manifestTable(toSchema)} SET status = 'complete', note = NULL`);
    await c.query('COMMIT');
  });
  options.log?.(`copied the imported dataset (${source.totalRows} rows, checksum ${source.checksum!.hash}) from ${fromSchema} into ${toSchema} in ${seconds.toFixed(1)} s`);
  return (await withClient(to, (c) => requireCompleteManifest(c, toSchema, `${server.display} schema ${toSchema}`)));
}
