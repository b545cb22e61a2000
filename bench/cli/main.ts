import { Command, CommanderError } from 'commander';
import { GeobenchError } from '../core/errors.ts';
import { redact } from '../db/redact.ts';
import { SQL_DIR } from '../core/paths.ts';
import { mergedSqlDir } from '../migrate/custom-folder.ts';
import { registerDb } from './commands/db.ts';
import { registerDataset } from './commands/dataset.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerRun } from './commands/run.ts';
import { registerRpc } from './commands/rpc.ts';
import { registerValidate } from './commands/validate.ts';
import { registerReport } from './commands/report.ts';
import { registerStatus } from './commands/status.ts';
import { registerNightly } from './commands/nightly.ts';
import { registerCompare } from './commands/compare.ts';
import { registerHistory } from './commands/history.ts';
import { registerStress } from './commands/stress.ts';
import { registerMerge } from './commands/merge.ts';

const program = new Command('geobench')
  .description('Measure PostGIS schema optimizations (OPT1–OPT5) against their KPI targets, on real PostgreSQL.')
  .option('--db <url>', 'use this PostgreSQL server instead of the embedded cluster (also DATABASE_URL or PG* variables)')
  .option('--allow-remote', 'allow a database that is not on this machine (load is only sent where you allow it)')
  .option('--schema <name>', "geobench's schema holding the dataset: geobench (default) or geobench_<name>")
  .option('--migrations <dir>', 'your own migrations (<version>_<name>.sql + ROLLBACK_<TAG>_<name>.sql) applied after those of sql/, with the same ledger, checksums and rollback')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// --migrations: every command then sees one migrations folder (sql/ + yours) through GEOBENCH_SQL_DIR.
program.hook('preAction', (cmd) => {
  const dir = (cmd.optsWithGlobals() as { migrations?: string }).migrations;
  if (dir) process.env.GEOBENCH_SQL_DIR = mergedSqlDir(process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, dir);
});

registerDb(program);
registerDataset(program);
registerMigrate(program);
registerRun(program);
registerRpc(program);
registerValidate(program);
registerReport(program);
registerStatus(program);
registerNightly(program);
registerCompare(program);
registerHistory(program);
registerStress(program);
registerMerge(program);

try {
  await program.parseAsync(process.argv);
  process.exitCode ??= 0;
} catch (err) {
  process.exitCode = report(err);
}
// Worker pools and sockets are closed by the commands; exit explicitly so a stray handle cannot hang CI.
setImmediate(() => process.exit(process.exitCode));

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are not errors.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
  }
  if (err instanceof GeobenchError) {
    process.stderr.write(`geobench: error: ${redact(err.message)}\n`);
    if (err.hint) process.stderr.write(`hint: ${redact(err.hint)}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`geobench: internal error: ${redact(e?.stack ?? String(err))}\n`);
  return 70;
}
