import type { Command } from 'commander';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { integerParser } from '../options.ts';
import { openDatabase } from '../../db/resolve.ts';
import { DEFAULT_BODY_LIMIT } from '../../rpc/handler.ts';
import { apiSchemaFor, startRpcServer } from '../../rpc/server.ts';

export function registerRpc(program: Command): void {
  const rpc = program.command('rpc').description('a PostgREST-compatible RPC endpoint for the API functions of a schema (POST /rpc/<function>)');

  rpc.command('serve')
    .description('serve POST /rpc/<function> for the functions of <schema>_api until SIGINT/SIGTERM (exit 0)')
    .option('--host <address>', 'address to bind; anything but loopback is reachable from other machines', '127.0.0.1')
    .option('--port <n>', 'port (0 = a free one; the URL is printed on stderr)', integerParser('port', 0, 65535), 0)
    .option('--pool <n>', 'database connections', integerParser('pool', 1, 100), 8)
    .option('--api-schema <name>', 'schema whose functions are exposed (default: <--schema>_api)')
    .option('--body-limit <bytes>', 'largest request body in bytes; larger ones get 413', integerParser('body-limit', 2, 64 * 1024 * 1024), DEFAULT_BODY_LIMIT)
    .option('--statement-timeout <ms>', 'statement_timeout per call (0 = none)', integerParser('statement-timeout', 0, 3_600_000), 10_000)
    .action(async (opts: { host: string; port: number; pool: number; apiSchema?: string; bodyLimit: number; statementTimeout: number }, cmd: Command) => {
      const targetOpts = targetOptions(cmd);
      apiSchemaFor(targetOpts.schema ?? 'geobench', opts.apiSchema); // bad names fail before the database starts
      const signal = interruptSignal();
      const target = await openDatabase(targetOpts, say);
      const server = await startRpcServer({
        target, apiSchema: opts.apiSchema, host: opts.host, port: opts.port, poolSize: opts.pool,
        bodyLimit: opts.bodyLimit, statementTimeoutMs: opts.statementTimeout, log: say,
      });
      say(`serving ${server.functions.length} function(s) of ${server.apiSchema} on ${target.display} (pool ${opts.pool})`);
      say(`listening on ${server.url}`);
      if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
      say('rpc server stopped');
      process.exitCode = 0;
    });
}
