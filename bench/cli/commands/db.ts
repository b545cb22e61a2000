import type { Command } from 'commander';
import { GeobenchError } from '../../core/errors.ts';
import { say } from '../context.ts';
import { parsePort } from '../options.ts';
import { clusterStatus, destroyCluster, pgpassPath, startCluster, stopCluster } from '../../db/embedded.ts';
import { ensureEmbeddedDatabase } from '../../db/resolve.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('manage the embedded throwaway PostgreSQL 15 + PostGIS cluster');

  db.command('start')
    .description('create (first time) and start the embedded cluster on 127.0.0.1; creates the extensions')
    .option('--port <n>', 'port to listen on (default: a free one, kept across restarts)', parsePort)
    .action(async (opts: { port?: number }) => {
      const target = await startCluster({ port: opts.port, log: say });
      await ensureEmbeddedDatabase(target);
      say(`running: ${target.display}`);
      say(`password file: PGPASSFILE=${pgpassPath()}`);
    });

  db.command('stop')
    .description('stop the embedded cluster (data is kept)')
    .action(async () => {
      say((await stopCluster()) ? 'embedded cluster stopped' : 'embedded cluster is not running');
    });

  db.command('status')
    .description('show whether the embedded cluster exists and runs')
    .action(async () => {
      const s = await clusterStatus();
      if (!s.initialized) return void console.log('embedded cluster: not created (geobench db start creates it)');
      console.log(`embedded cluster: ${s.running ? `running (pid ${s.pid})` : 'stopped'}`);
      console.log(`url: ${s.display}`);
      console.log(`data: ${s.dataDir}`);
    });

  db.command('url')
    .description('print the connection URL of the embedded cluster (the password is in PGPASSFILE, never printed)')
    .action(async () => {
      const s = await clusterStatus();
      if (!s.initialized) throw new GeobenchError('embedded cluster not created', { hint: 'run `geobench db start`' });
      console.log(`postgresql://geobench@127.0.0.1:${s.port}/geobench`);
      say(`password file: PGPASSFILE=${pgpassPath()}`);
    });

  db.command('destroy')
    .description('stop the embedded cluster and delete its data directory')
    .action(async () => {
      say((await destroyCluster()) ? 'embedded cluster destroyed' : 'no embedded cluster to destroy');
    });
}
