import type { Command } from 'commander';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { integerParser } from '../options.ts';
import { openDatabase } from '../../db/resolve.ts';
import { DEFAULT_BODY_LIMIT, DEFAULT_MAX_ROWS } from '../../rpc/handler.ts';
import { apiSchemaFor, startRpcServer } from '../../rpc/server.ts';
import { runRpcLoad } from '../../rpc/load.ts';
import { RPC_EQUIVALENTS } from '../../validate/rpc-equivalents.ts';
import { GeobenchError } from '../../core/errors.ts';
import { rpcEndpointOption } from './validate.ts';

export function registerRpc(program: Command): void {
  const rpc = program.command('rpc').description('serve: a PostgREST-compatible RPC endpoint for the API functions of a schema (POST /rpc/<function>); load: HTTP load on it or on a real PostgREST / Supabase');

  rpc.command('serve')
    .description('serve POST /rpc/<function> for the functions of <schema>_api until SIGINT/SIGTERM (exit 0); connects as a least-privilege role (<schema>_api_rpc), never as a superuser')
    .option('--host <address>', 'address to bind; anything but loopback is reachable from other machines. Host headers other than this address or a loopback name get 421', '127.0.0.1')
    .option('--port <n>', 'port (0 = a free one; the URL is printed on stderr)', integerParser('port', 0, 65535), 0)
    .option('--pool <n>', 'database connections', integerParser('pool', 1, 100), 8)
    .option('--api-schema <name>', "schema whose functions are exposed (default: <--schema>_api); only geobench's own <schema>_api schemas")
    .option('--body-limit <bytes>', 'largest request body in bytes; larger ones get 413', integerParser('body-limit', 2, 64 * 1024 * 1024), DEFAULT_BODY_LIMIT)
    .option('--statement-timeout <ms>', 'statement_timeout per call (0 = none)', integerParser('statement-timeout', 0, 3_600_000), 10_000)
    .option('--max-rows <n>', 'server-wide cap on the rows of any response (as PostgREST db-max-rows)', integerParser('max-rows', 1, 1_000_000), DEFAULT_MAX_ROWS)
    .action(async (opts: { host: string; port: number; pool: number; apiSchema?: string; bodyLimit: number; statementTimeout: number; maxRows: number }, cmd: Command) => {
      const targetOpts = targetOptions(cmd);
      apiSchemaFor(targetOpts.schema ?? 'geobench', opts.apiSchema); // bad names fail before the database starts
      const signal = interruptSignal();
      const target = await openDatabase(targetOpts, say);
      const server = await startRpcServer({
        target, apiSchema: opts.apiSchema, host: opts.host, port: opts.port, poolSize: opts.pool,
        bodyLimit: opts.bodyLimit, statementTimeoutMs: opts.statementTimeout, maxRows: opts.maxRows, log: say,
      });
      say(`serving ${server.functions.length} function(s) of ${server.apiSchema} on ${target.display} as role ${server.role} (pool ${opts.pool}, at most ${opts.maxRows} rows per response)`);
      say(`listening on ${server.url}`);
      if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
      say('rpc server stopped');
      process.exitCode = 0;
    });

  rpc.command('load')
    .description('HTTP load on one RPC function with autocannon (closed model): ours (rpc serve) or a real PostgREST / Supabase endpoint; prints requests/s and latency percentiles (µs resolution)')
    .argument('<function>', 'function name (POST <url>/rpc/<function>)')
    .requiredOption('--rpc-url <url>', 'base URL of the API (http://127.0.0.1:<port> for rpc serve, https://<ref>.supabase.co/rest/v1); loopback only unless --allow-remote')
    .option('--args <json>', "named arguments as a JSON object, the same for every request (default for the six OPT3 functions: a seeded stream drawn from the dataset model)")
    .option('--rows <n>', 'rows of the dataset the seeded arguments draw ids from (get_by_ids)', integerParser('rows', 1, 1e12), 1_240_000)
    .option('--rpc-api-key-env <name>', 'environment variable holding the API key (sent as apikey and Bearer; never printed)')
    .option('--connections <n>', 'keep-alive connections', integerParser('connections', 1, 1000), 4)
    .option('--duration <s>', 'measured seconds', integerParser('duration', 1, 3600), 10)
    .option('--warmup <s>', 'seconds of load before the measurement', integerParser('warmup', 0, 600), 1)
    .option('--seed <n>', 'seed of the argument streams', integerParser('seed', 0, 2 ** 31), 1)
    .option('--json', 'print the result as JSON')
    .action(async (fn: string, opts: { rpcUrl: string; args?: string; rows: number; rpcApiKeyEnv?: string; connections: number; duration: number; warmup: number; seed: number; json?: boolean }, cmd: Command) => {
      const endpoint = rpcEndpointOption(opts.rpcUrl, opts.rpcApiKeyEnv, targetOptions(cmd).allowRemote)!;
      let args: (rng: () => number) => object;
      if (opts.args !== undefined) {
        let fixed: unknown;
        try {
          fixed = JSON.parse(opts.args);
        } catch (err) {
          throw new GeobenchError(`--args is not JSON: ${(err as Error).message}`, { exitCode: 2 });
        }
        if (fixed === null || typeof fixed !== 'object' || Array.isArray(fixed)) throw new GeobenchError('--args must be a JSON object of named arguments', { exitCode: 2 });
        args = () => fixed as object;
      } else {
        const eq = RPC_EQUIVALENTS.find((e) => e.fn === fn);
        if (!eq) throw new GeobenchError(`no built-in argument generator for '${fn}'`, { hint: `pass --args '{"name": value}' (generators exist for ${RPC_EQUIVALENTS.map((e) => e.fn).join(', ')})`, exitCode: 2 });
        args = (rng) => eq.args(rng, opts.rows);
      }
      const result = await runRpcLoad({
        url: endpoint.url, fn, args, seed: opts.seed, connections: opts.connections, durationSec: opts.duration, warmupSec: opts.warmup,
        apiKey: endpoint.apiKey, allowRemote: endpoint.allowRemote, signal: interruptSignal(),
      });
      if (opts.json) console.log(JSON.stringify({ function: fn, ...result }, null, 2));
      else {
        const ms = (us: number): string => (us / 1000).toFixed(3);
        console.log(`${fn}: ${result.requests} requests in ${result.durationSec.toFixed(1)} s = ${result.rps.toFixed(1)} 2xx responses/s; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
        console.log(`latency ms: p50 ${ms(result.latency.p50)}  p90 ${ms(result.latency.p90)}  p99 ${ms(result.latency.p99)}  max ${ms(result.latency.max)}`);
        for (const s of result.errorSamples) console.log(`  ${s}`);
      }
      if (result.non2xx + result.errors + result.timeouts > 0 || result.requests === 0) process.exitCode = 1;
    });
}
