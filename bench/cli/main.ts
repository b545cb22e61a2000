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
import { setStepProgressDisplay } from '../core/step-progress.ts';
import { createStepProgress } from './progress.ts';

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

// Long steps (verify, migrations, generate inside validators) report to the progress bar on stderr.
setStepProgressDisplay((spec) => createStepProgress(spec));

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
  if (lostDatabase(err)) {
    // The server died or went away mid-command (fault suite: validate opt45 × postmaster SIGKILL
    // exited 70): not a bug of geobench, and said as such.
    process.stderr.write(`geobench: error: the database connection was lost: ${redact(e.message.split('\n')[0]!)}\n`);
    process.stderr.write('hint: check that the server is running (geobench db status) and run the command again; interrupted steps clean up on the next run\n');
    return 1;
  }
  process.stderr.write(`geobench: internal error: ${redact(e?.stack ?? String(err))}\n`);
  return 70;
}

/** A connection that broke or was refused, or a server shutting down (SQLSTATE class 08, 57P01–57P03). */
function lostDatabase(err: unknown): boolean {
  const e = err as { message?: unknown; code?: unknown } | null;
  if (!e || typeof e.message !== 'string') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  return /^08|^57P0[123]$|^ECONNREFUSED$|^ECONNRESET$|^EPIPE$/.test(code)
    || /Connection terminated|Client has encountered a connection error|terminating connection due to/.test(e.message);
}
