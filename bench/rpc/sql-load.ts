/**
 * The same RPC calls without HTTP: each request's named arguments are resolved against the API
 * schema's catalog and turned into the very statement `geobench rpc serve` sends (buildCall, the
 * server's JSON-building SELECT, the same prepared-statement name and argument encoding), and run
 * over node-postgres from this process, closed model, one connection per "HTTP connection".
 * Arguments come from the same seeded streams as runRpcLoad (`alea("<seed>:<i>")` for connection
 * i), so HTTP and SQL see identical calls: the difference is the HTTP layer (request parsing,
 * JSON, the server's event loop, the client) — what `HTTP overhead per function` reports.
 */
import pg from 'pg';
import seedrandom from 'seedrandom';
import { GeobenchError } from '../core/errors.ts';
import { clientConfig } from '../db/connect.ts';
import { redact } from '../db/redact.ts';
import type { DbTarget } from '../db/target.ts';
import { createLatencyHistogram, encodeHistogram, microsFromMillis, recordMicros, summarize } from '../metrics/histogram.ts';
import { buildCall, CATALOG_SQL, encodeArgValue, functionsFromRows, resolveCall, type CatalogRow } from './catalog.ts';
import type { RpcLoadResult } from './load.ts';

export interface SqlCallLoadOptions {
  readonly target: DbTarget;
  /** The schema whose functions are called (e.g. geobench_opt3_api). */
  readonly apiSchema: string;
  readonly fn: string;
  readonly args: (rng: () => number) => object;
  readonly seed: number | string;
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec?: number;
  readonly statementTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Result in runRpcLoad's shape (`non2xx` = SQL errors), so both print in one table. */
export async function runSqlCallLoad(options: SqlCallLoadOptions): Promise<RpcLoadResult> {
  const warmupSec = options.warmupSec ?? 0;
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < options.connections; i++) {
      const c = new pg.Client({ ...clientConfig(options.target, 'geobench-rpc-sql'), statement_timeout: options.statementTimeoutMs ?? 10_000 });
      c.on('error', () => {});
      clients.push(c);
      await c.connect();
    }
    const { rows } = await clients[0]!.query<CatalogRow>(CATALOG_SQL, [options.apiSchema]);
    const candidates = functionsFromRows(options.apiSchema, rows).filter((f) => f.name === options.fn);
    if (candidates.length === 0) throw new GeobenchError(`function ${options.apiSchema}.${options.fn} does not exist`);

    const histogram = createLatencyHistogram();
    const statusCodes: Record<string, number> = {};
    const errorSamples: string[] = [];
    let requests = 0;
    let failed = 0;
    const started = performance.now();
    const windowStart = started + warmupSec * 1000;
    let windowEnd = windowStart + options.durationSec * 1000;
    const onAbort = (): void => {
      windowEnd = Math.max(windowStart, Math.min(windowEnd, performance.now()));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      await Promise.all(clients.map(async (client, i) => {
        const rng = seedrandom.alea(`${options.seed}:${i}`);
        for (;;) {
          const t0 = performance.now();
          if (t0 >= windowEnd) break;
          const args = options.args(rng) as Record<string, unknown>;
          const resolved = resolveCall(candidates, args);
          if ('status' in resolved) throw new GeobenchError(`${options.fn}: the generated arguments do not match the function: ${resolved.error.message}`, { exitCode: 2 });
          const statement = buildCall(resolved.fn, resolved.args);
          const values = resolved.args.map((a) => encodeArgValue(args[a.name], a));
          let error: string | undefined;
          try {
            await client.query({ ...statement, values, rowMode: 'array' });
          } catch (err) {
            error = (err as Error).message;
          }
          const t1 = performance.now();
          if (t0 < windowStart || t0 >= windowEnd) continue;
          requests++;
          if (error === undefined) recordMicros(histogram, microsFromMillis(t1 - t0));
          else {
            failed++;
            const sample = redact(error.slice(0, 300));
            if (errorSamples.length < 5 && !errorSamples.includes(sample)) errorSamples.push(sample);
          }
        }
      }));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (requests - failed > 0) statusCodes.ok = requests - failed;
    if (failed > 0) statusCodes.error = failed;
    const durationSec = (windowEnd - windowStart) / 1000;
    return {
      requests, non2xx: failed, errors: 0, timeouts: 0, durationSec,
      rps: durationSec > 0 ? requests / durationSec : 0,
      latency: summarize(histogram),
      encoded: encodeHistogram(histogram),
      statusCodes, errorSamples,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}
