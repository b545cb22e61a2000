import seedrandom from 'seedrandom';
import { connect } from '../db/connect.ts';
import { redact } from '../db/redact.ts';
import { searchPath, variantSchema } from '../db/schema.ts';
import { diffDatabaseStats, snapshotDatabaseStats } from '../evidence/index.ts';
import { loadCatalog, resolveTarget, BASELINE_TAG } from '../migrate/catalog.ts';
import { prepareSchema } from '../load/prepare.ts';
import { queryType } from '../queries/index.ts';
import { rowsForScale } from '../dataset/model.ts';
import { quoteIdent } from '../rpc/catalog.ts';
import { runRpcLoad, type RpcLoadResult } from '../rpc/load.ts';
import { runSqlCallLoad } from '../rpc/sql-load.ts';
import { averageImprovement, OPT3_ROUTES, runComparison } from './comparison-run.ts';
import { infoCheck, targetCheck, type Check } from './checks.ts';
import { Prober } from './prober.ts';
import { RPC_EQUIVALENTS } from './rpc-equivalents.ts';
import { startRpcProcess } from './rpc-process.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

const BEFORE = 'opt3_before';
const AFTER = 'opt3_after';
const SAMPLES = 5;

const fmtPct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`);

/** Per function: HTTP and direct-SQL throughput and latency side by side, and the difference. Pure. */
export function httpOverhead(http: Readonly<Record<string, RpcLoadResult>>, sql: Readonly<Record<string, RpcLoadResult>>): Record<string, { httpRps: number; sqlRps: number; httpP50Us: number; sqlP50Us: number; httpP99Us: number; sqlP99Us: number; addedP50Us: number; text: string }> {
  const out: Record<string, { httpRps: number; sqlRps: number; httpP50Us: number; sqlP50Us: number; httpP99Us: number; sqlP99Us: number; addedP50Us: number; text: string }> = {};
  for (const [fn, h] of Object.entries(http)) {
    const s = sql[fn];
    if (!s) continue;
    const ms = (us: number): string => (us / 1000).toFixed(2);
    const addedP50Us = h.latency.p50 - s.latency.p50;
    out[fn] = {
      httpRps: h.rps, sqlRps: s.rps, httpP50Us: h.latency.p50, sqlP50Us: s.latency.p50, httpP99Us: h.latency.p99, sqlP99Us: s.latency.p99, addedP50Us,
      text: `HTTP ${h.rps.toFixed(0)}/s p50 ${ms(h.latency.p50)} p99 ${ms(h.latency.p99)} ms vs SQL ${s.rps.toFixed(0)}/s p50 ${ms(s.latency.p50)} p99 ${ms(s.latency.p99)} ms (${addedP50Us >= 0 ? '+' : '−'}${ms(Math.abs(addedP50Us))} ms p50)`,
    };
  }
  return out;
}

const callSql = (api: string, fn: string, keyOf: string, names: readonly string[]): string =>
  `SELECT ${quoteIdent(keyOf)}::text AS k FROM ${quoteIdent(api)}.${quoteIdent(fn)}(${names.map((n, i) => `${quoteIdent(n)} => $${i + 1}`).join(', ')})`;

async function median(times: number, run: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

/**
 * The roadmap's OPT3_INDEXED_VIEWS_RPC_SEARCH_VALIDATOR, measured: views and their indexes exist
 * and are populated, each RPC function answers what the base table says, RPC throughput and p99
 * over HTTP (our `rpc serve` in its own process, autocannon load), cache hit ratio during that
 * load, RPC latency against the equivalent base-table query without OPT3, and the views'
 * availability while REFRESH MATERIALIZED VIEW CONCURRENTLY runs.
 */
export const opt3Validator: Validator = {
  name: 'opt3',
  roadmapName: 'OPT3_INDEXED_VIEWS_RPC_SEARCH_VALIDATOR',
  description: 'OPT3 indexed materialized views + RPC search: views, indexes, correctness, RPC throughput/latency, cache, availability',
  async run(ctx: ValidateContext): Promise<ValidationOutcome> {
    const log = ctx.log;
    const catalog = loadCatalog(ctx.sqlDir);
    const previous = resolveTarget(catalog, 'OPT3') - 1;
    const beforeTag = previous < 0 ? BASELINE_TAG : catalog[previous]!.tag;
    const opts = { log, signal: ctx.signal, workers: ctx.loadWorkers };
    const before = await prepareSchema(ctx.server, { name: BEFORE, schema: variantSchema(BEFORE), migrateTo: beforeTag, scale: ctx.scale, seed: ctx.seed }, ctx.sqlDir, opts);
    const after = await prepareSchema(ctx.server, { name: AFTER, schema: variantSchema(AFTER), migrateTo: 'OPT3', scale: ctx.scale, seed: ctx.seed }, ctx.sqlDir, opts);
    const api = `${after.schema}_api`;
    const totalRows = rowsForScale(ctx.scale);
    const client = await connect(after.target, 'geobench-validate');
    const baseClient = await connect(before.target, 'geobench-validate');
    const checks: Check[] = [];
    const evidence: Record<string, unknown> = { beforeState: beforeTag };
    try {
      await client.query(`SET search_path = ${searchPath(after.schema)}`);
      await baseClient.query(`SET search_path = ${searchPath(before.schema)}`);

      // Views and their indexes.
      const views = (await client.query<{ matviewname: string; ispopulated: boolean }>('SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = $1 ORDER BY 1', [after.schema])).rows;
      const indexes = (await client.query<{ tablename: string; indexname: string; indexdef: string }>('SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY 1, 2', [after.schema, views.map((v) => v.matviewname)])).rows;
      const populated = views.filter((v) => v.ispopulated).length;
      const withUnique = views.filter((v) => indexes.some((i) => i.tablename === v.matviewname && /^CREATE UNIQUE INDEX/.test(i.indexdef))).length;
      checks.push(targetCheck('Materialized Views (populated)', ctx.targets.get('opt3.materialized_views'), populated, { views }));
      checks.push(targetCheck('View Indexes', ctx.targets.get('opt3.view_indexes'), indexes.length, { indexes: indexes.map((i) => `${i.tablename}.${i.indexname}`) }));
      checks.push(targetCheck('Index Coverage (views with a unique index)', ctx.targets.get('opt3.index_coverage'), views.length ? withUnique / views.length : null));

      // Each RPC function against the base table.
      const correctness: Record<string, { samples: number; matches: number; mismatch?: unknown }> = {};
      let total = 0;
      let ok = 0;
      for (const eq of RPC_EQUIVALENTS) {
        const rng = seedrandom.alea(`${ctx.seed}:validate-opt3:${eq.fn}`);
        const entry: { samples: number; matches: number; mismatch?: unknown } = { samples: 0, matches: 0 };
        for (let i = 0; i < SAMPLES; i++) {
          const args = eq.args(rng, totalRows);
          const names = Object.keys(args);
          const got = (await client.query<{ k: string }>(callSql(api, eq.fn, eq.keyOf, names), names.map((n) => args[n]))).rows.map((r) => r.k);
          const want = await eq.base(client, args, got);
          entry.samples++;
          total++;
          if (JSON.stringify(got) === JSON.stringify(want)) {
            entry.matches++;
            ok++;
          } else entry.mismatch ??= { args, got: got.slice(0, 20), want: want.slice(0, 20) };
        }
        correctness[eq.fn] = entry;
      }
      checks.push(targetCheck(`RPC Functions Operational (${RPC_EQUIVALENTS.length} × ${SAMPLES} calls = table)`, ctx.targets.get('opt3.rpc_correct'), total ? ok / total : null, correctness));

      // The workload before/after OPT3, with the query types OPT3 serves routed to its views and
      // functions (the same parameters; see `routes` in bench/queries/).
      log(`measuring the standard workload: ${beforeTag} vs OPT3 with ${Object.entries(OPT3_ROUTES).map(([q, r]) => `${q} via ${r}`).join(', ')}`);
      const run = await runComparison(ctx, 'validate-opt3', [
        { name: BEFORE, migrateTo: beforeTag, description: `${beforeTag} (before OPT3)` },
        { name: AFTER, migrateTo: 'OPT3', description: 'OPT3: routed query types read its views / call its functions', routes: { ...OPT3_ROUTES } },
      ]);
      const routedTypes = Object.keys(OPT3_ROUTES);
      checks.push(targetCheck(`RPC Function Latency vs baseline (${routedTypes.join(', ')} routed, mean latency)`, ctx.targets.get('opt3.rpc_latency_improvement'), averageImprovement(run, BEFORE, AFTER, routedTypes),
        { method: '1 − geometric mean over the routed query types of OPT3/before mean latency, from the interleaved workload run (result.json)', routes: OPT3_ROUTES }));
      const comparison = run.comparisons.find((c) => !('unavailable' in c) && c.optimized === AFTER);
      for (const type of routedTypes) {
        const row = comparison && !('unavailable' in comparison) ? comparison.byQueryType.find((r) => r.queryType === type) : undefined;
        const p50 = row?.metrics.p50;
        checks.push(infoCheck(`${type} via ${OPT3_ROUTES[type as keyof typeof OPT3_ROUTES]} (p50 change, 95% CI)`,
          p50 && p50.change !== null ? `${fmtPct(p50.change)}${p50.ciAvailable ? ` [${fmtPct(p50.ciLow)}, ${fmtPct(p50.ciHigh)}]` : ''}` : 'not measured', row?.metrics));
      }

      // RPC over HTTP, one function at a time, with the server in its own process; then the same
      // calls (same seeded arguments, same statement the server sends) over direct SQL: the
      // difference is what the HTTP layer costs per function.
      const rpcSec = Math.min(ctx.durationSec, 10);
      log(`RPC load over HTTP, then the same calls over SQL: ${RPC_EQUIVALENTS.length} functions × 2 × ${rpcSec} s, ${ctx.connections} connections`);
      const server = ctx.rpc
        ? { url: ctx.rpc.url, stop: async () => {} }
        : await startRpcProcess(after.target, { connections: ctx.connections });
      if (ctx.rpc) log(`  HTTP load against ${redact(ctx.rpc.url)} (--rpc-url) instead of geobench rpc serve`);
      const loads: Record<string, RpcLoadResult> = {};
      const sqlLoads: Record<string, RpcLoadResult> = {};
      // Buffer hits/reads of the HTTP loads only (the SQL loads run in between).
      const httpBuffers = { blksHit: 0, blksRead: 0, windows: [] as unknown[] };
      try {
        // HTTP then SQL for each function, back to back, so both see the same machine conditions.
        for (const eq of RPC_EQUIVALENTS) {
          const common = {
            fn: eq.fn,
            // The API's default page size (max_rows omitted), as a client would call it.
            args: (rng: () => number) => Object.fromEntries(Object.entries(eq.args(rng, totalRows)).filter(([k]) => k !== 'max_rows')),
            seed: `${ctx.seed}:rpc:${eq.fn}`,
            connections: ctx.connections,
            durationSec: rpcSec,
            warmupSec: 1,
            signal: ctx.signal,
          };
          const dbBefore = await snapshotDatabaseStats(client);
          loads[eq.fn] = await runRpcLoad({ ...common, url: server.url, apiKey: ctx.rpc?.apiKey, allowRemote: ctx.rpc?.allowRemote });
          const d = diffDatabaseStats(dbBefore, await snapshotDatabaseStats(client));
          httpBuffers.blksHit += d.blksHit;
          httpBuffers.blksRead += d.blksRead;
          httpBuffers.windows.push({ fn: eq.fn, ...d });
          sqlLoads[eq.fn] = await runSqlCallLoad({ ...common, target: after.target, apiSchema: api });
          const l = loads[eq.fn]!;
          const q = sqlLoads[eq.fn]!;
          log(`  ${eq.fn}: HTTP ${l.rps.toFixed(0)} req/s p50 ${(l.latency.p50 / 1000).toFixed(2)} ms p99 ${(l.latency.p99 / 1000).toFixed(2)} ms non-2xx ${l.non2xx} | SQL ${q.rps.toFixed(0)} calls/s p50 ${(q.latency.p50 / 1000).toFixed(2)} ms p99 ${(q.latency.p99 / 1000).toFixed(2)} ms errors ${q.non2xx}`);
        }
      } finally {
        await server.stop();
      }
      const hitRatio = httpBuffers.blksHit + httpBuffers.blksRead > 0 ? httpBuffers.blksHit / (httpBuffers.blksHit + httpBuffers.blksRead) : null;
      const rpsValues = Object.values(loads).map((l) => l.rps);
      const worstP99 = Math.max(...Object.values(loads).map((l) => l.latency.p99));
      const failures = Object.values(loads).reduce((s, l) => s + l.non2xx + l.errors + l.timeouts, 0);
      const perFn = Object.fromEntries(Object.entries(loads).map(([fn, l]) => [fn, { rps: l.rps, p50: l.latency.p50, p99: l.latency.p99, non2xx: l.non2xx, errors: l.errors, timeouts: l.timeouts, statusCodes: l.statusCodes, errorSamples: l.errorSamples }]));
      checks.push(targetCheck('RPC Throughput (mean of the 6 functions, HTTP)', ctx.targets.get('opt3.rpc_throughput'), rpsValues.reduce((a, b) => a + b, 0) / rpsValues.length, perFn));
      checks.push(targetCheck('RPC Latency (p99, worst function, HTTP)', ctx.targets.get('opt3.rpc_p99'), Number.isFinite(worstP99) ? worstP99 : null));
      checks.push(targetCheck('RPC Errors (non-2xx, socket errors, timeouts)', ctx.targets.get('opt3.rpc_errors'), failures / Math.max(1, Object.values(loads).reduce((s, l) => s + l.requests, 0))));
      checks.push(targetCheck('Cache Hit Ratio (during the HTTP RPC loads)', ctx.targets.get('opt3.cache_hit'), hitRatio, httpBuffers));
      const overhead = httpOverhead(loads, sqlLoads);
      for (const [fn, o] of Object.entries(overhead)) {
        checks.push(infoCheck(`HTTP overhead: ${fn} (HTTP vs direct SQL, same calls)`, o.text, o));
      }

      // RPC (as SQL) against the equivalent query on the table without OPT3.
      const latency: Record<string, { rpcMs: number; baseMs: number; change: number }> = {};
      for (const eq of RPC_EQUIVALENTS) {
        const args = eq.args(seedrandom.alea(`${ctx.seed}:latency:${eq.fn}`), totalRows);
        delete args.max_rows;
        const names = Object.keys(args);
        const rpcMs = await median(30, () => client.query(callSql(api, eq.fn, eq.keyOf, names), names.map((n) => args[n])));
        const baseMs = eq.fn === 'search_knn'
          ? await median(30, () => baseClient.query(queryType('Q3').sql, [args.lon, args.lat]))
          : await median(30, () => eq.base(baseClient, args, []));
        latency[eq.fn] = { rpcMs, baseMs, change: rpcMs / baseMs - 1 };
      }
      for (const [fn, l] of Object.entries(latency)) {
        checks.push(infoCheck(`RPC vs table without OPT3: ${fn} (median, SQL)`, `${l.rpcMs.toFixed(2)} vs ${l.baseMs.toFixed(2)} ms (${l.change >= 0 ? '+' : ''}${(100 * l.change).toFixed(0)}%)`, l));
      }

      // The views stay readable while REFRESH … CONCURRENTLY rebuilds them.
      log('refreshing the 5 views concurrently while a prober reads them every 100 ms');
      const probeSql = views.map((v) => `(SELECT 1 FROM ${quoteIdent(v.matviewname)} LIMIT 1)`).join(' UNION ALL ');
      const prober = await Prober.start(after.target, { sql: probeSql || 'SELECT 1' });
      const refresh: Record<string, number> = {};
      for (const v of views) {
        const t = performance.now();
        await client.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${quoteIdent(v.matviewname)}`);
        refresh[v.matviewname] = (performance.now() - t) / 1000;
      }
      const probe = await prober.stop();
      checks.push(targetCheck('View Availability (during REFRESH CONCURRENTLY)', ctx.targets.get('opt3.view_availability'), probe.probes ? probe.availability : null, { probe, refreshSec: refresh }));
      evidence.rpcLoads = perFn;
      evidence.httpOverhead = overhead;
      evidence.latency = latency;
    } finally {
      await client.end().catch(() => {});
      await baseClient.end().catch(() => {});
    }
    return { checks, evidence, runResult: 'result.json' };
  },
};

