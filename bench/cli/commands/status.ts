import type { Command } from 'commander';
import { say, targetOptions } from '../context.ts';
import { GeobenchError } from '../../core/errors.ts';
import { SQL_DIR } from '../../core/paths.ts';
import { openDatabase } from '../../db/resolve.ts';
import { redact } from '../../db/redact.ts';
import { DEFAULT_SCHEMA } from '../../db/schema.ts';
import { resolveExternalTarget, withSchema } from '../../db/target.ts';
import { loadCatalog, type Migration } from '../../migrate/catalog.ts';
import { collectStatus } from '../../status/gather.ts';
import { renderStatus } from '../../status/render.ts';

/**
 * `geobench status [--json]`: the roadmap's "Database Status Check" for one schema (--schema):
 * tables, materialized views, indexes, partitions, pg_cron jobs, migrations (docs/status.md).
 */
export function registerStatus(program: Command): void {
  program.command('status')
    .description("show the schema's tables, materialized views, indexes, partitions, pg_cron jobs and migrations")
    .option('--json', 'print one JSON document (docs/status.md) instead of tables')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const warnings: string[] = [];
      let catalog: Migration[] = [];
      try {
        catalog = loadCatalog(process.env.GEOBENCH_SQL_DIR ?? SQL_DIR);
      } catch (err) {
        if (!(err instanceof GeobenchError)) throw err;
        // sql/ being edited must not hide the database's state: show the ledger as it is.
        warnings.push(`cannot read the migrations in sql/ (${err.message}): ledger rows are shown as 'unknown'`);
      }
      const options = targetOptions(cmd);
      // A status check changes nothing: on a server named with --db / DATABASE_URL / PG* it does not
      // create missing extensions as openDatabase would (so "pg_cron not installed" can be reported).
      // The embedded cluster is opened (and started) as by every command.
      const external = resolveExternalTarget(options);
      const target = external ? withSchema(external, options.schema ?? DEFAULT_SCHEMA) : await openDatabase(options, say);
      const report = await collectStatus(target, catalog, warnings);
      console.log(opts.json ? JSON.stringify(report, null, 2) : redact(renderStatus(report)));
    });
}
