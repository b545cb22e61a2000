import type { Command } from 'commander';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { SQL_DIR } from '../../core/paths.ts';
import { openDatabase } from '../../db/resolve.ts';
import { loadCatalog, resolveTarget } from '../../migrate/catalog.ts';
import { migrateDown, migrateUp, migrationStatus } from '../../migrate/runner.ts';

export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description('apply or roll back the optimization migrations in sql/ (ledger-tracked)');
  const sqlDir = (): string => process.env.GEOBENCH_SQL_DIR ?? SQL_DIR;

  migrate.command('up')
    .description('apply pending migrations, each in one transaction (default: all)')
    .option('--to <target>', 'last migration to apply: OPT1…OPT5, a version or a file name')
    .action(async (opts: { to?: string }, cmd: Command) => {
      const catalog = loadCatalog(sqlDir());
      const toIndex = opts.to ? resolveTarget(catalog, opts.to) : catalog.length - 1;
      const target = await openDatabase(targetOptions(cmd), say);
      const steps = await migrateUp(target, catalog, toIndex, { log: say, signal: interruptSignal() });
      console.log(steps.length ? `applied: ${steps.map((s) => s.migration.tag).join(', ')}` : 'nothing to apply');
    });

  migrate.command('down')
    .description('roll back applied migrations with their ROLLBACK_ scripts (default: the last one)')
    .option('--to <target>', 'roll back until this is the last applied: baseline, OPT1…')
    .action(async (opts: { to?: string }, cmd: Command) => {
      const catalog = loadCatalog(sqlDir());
      const target = await openDatabase(targetOptions(cmd), say);
      let toIndex: number;
      if (opts.to) toIndex = resolveTarget(catalog, opts.to);
      else {
        const applied = (await migrationStatus(target, catalog)).filter((r) => r.state !== 'pending' && r.tag !== 'baseline').length;
        toIndex = Math.max(-1, applied - 2);
      }
      const steps = await migrateDown(target, catalog, toIndex, { log: say, signal: interruptSignal() });
      console.log(steps.length ? `rolled back: ${steps.map((s) => s.migration.tag).join(', ')}` : 'nothing to roll back');
    });

  migrate.command('status')
    .description('list migrations with their state (applied, pending, edited) and timings')
    .action(async (_opts: unknown, cmd: Command) => {
      const catalog = loadCatalog(sqlDir());
      const target = await openDatabase(targetOptions(cmd), say);
      for (const r of await migrationStatus(target, catalog)) {
        const when = r.appliedAt ? ` ${r.appliedAt.toISOString()}` : '';
        const ms = r.durationMs !== undefined ? ` (${(r.durationMs / 1000).toFixed(1)} s)` : '';
        console.log(`${r.state.padEnd(8)} ${r.tag.padEnd(9)} ${r.file}${when}${ms}`);
      }
    });
}
