import type pg from 'pg';
import { assertOwnSchema } from './schema.ts';

/**
 * Drops one of geobench's own schemas with what lives outside it: its pg_cron jobs (named
 * `<schema>:<task>` by OPT4/OPT5) and its pg_partman configuration and template table. A bare
 * DROP SCHEMA … CASCADE left jobs firing at a missing schema and a part_config row that made the
 * next OPT4 on a schema of that name fail. Its API schema (`<schema>_api`) is left alone: it may
 * hold objects that are not OPT3's, and OPT3 replaces a leftover one that holds only its functions.
 * Run inside the caller's transaction when there is one.
 */
export async function dropOwnSchema(client: pg.Client, schema: string): Promise<void> {
  assertOwnSchema(schema);
  const has = async (relation: string): Promise<boolean> =>
    (await client.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [relation])).rows[0]!.r !== null;
  if (await has('cron.job')) {
    await client.query('SELECT cron.unschedule(jobid) FROM cron.job WHERE starts_with(jobname, $1)', [`${schema}:`]);
  }
  if (await has('partman.part_config')) {
    const cfg = await client.query<{ template_table: string | null }>('DELETE FROM partman.part_config WHERE starts_with(parent_table, $1) RETURNING template_table', [`${schema}.`]);
    for (const r of cfg.rows) {
      // partman's own template table (partman.template_<schema>_<table>): a name it made, quoted as an identifier.
      if (r.template_table) await client.query(`DROP TABLE IF EXISTS ${r.template_table.split('.').map((p) => client.escapeIdentifier(p)).join('.')}`);
    }
  }
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
