import { stepProgress } from '../core/step-progress.ts';
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { connect } from '../db/connect.ts';
import { redact } from '../db/redact.ts';
import { searchPath } from '../db/schema.ts';
import { stateSchema } from './state-schemas.ts';
import { worstStaleness } from '../evidence/route-staleness.ts';
import type { LatencySummary } from '../metrics/histogram.ts';
import { loadCatalog, resolveTarget, BASELINE_TAG } from '../migrate/catalog.ts';
import { prepareSchema } from '../load/prepare.ts';
import { queryRoute, RPC_TYPES } from '../queries/index.ts';
import { rowsForScale } from '../dataset/model.ts';
import type { RunResult } from '../formats/run-result.ts';
import { quoteIdent } from '../rpc/catalog.ts';
import { runRpcLoad, type RpcLoadResult } from '../rpc/load.ts';
import { cacheHitCheck, measureCacheSizes, type CacheSizes } from './cache-hit.ts';
import { runAtSmallBuffers } from './small-buffers.ts';
import { runComparison, workloadCheck, workloadImprovement } from './comparison-run.ts';
import { infoCheck, targetCheck, type Check } from './checks.ts';
import { Prober } from './prober.ts';
import { OPT3_ROUTES } from './route-choice.ts';
import { RPC_EQUIVALENTS } from './rpc-equivalents.ts';
import { startRpcProcess } from './rpc-process.ts';
import type { Targets } from './targets.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

const BEFORE = 'opt3_before';
const AFTER = 'opt3_after';
const SAMPLES = 5;

/**
 * The load of the latency run: the six RPC query types in equal shares (the KPI's weights: the
 * roadmap gives no mix of the functions), Q5 and Q7 on OPT3's routes, and W1 writes so the views
 * go stale as they would in production (their staleness is measured and shown).
 */
export const RPC_KPI_WEIGHTS: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(RPC_TYPES.map((t) => [t.name, 1])));
const LATENCY_WORKLOAD = { ...Object.fromEntries(RPC_TYPES.map((t) => [t.name, 10])), Q5: 5, Q7: 5, W1: 5 };
const AFTER_ROUTES = { ...Object.fromEntries(RPC_TYPES.map((t) => [t.name, 'rpc'])), ...OPT3_ROUTES };

const fmtPct = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`);
const ms = (us: number): string => (us / 1000).toFixed(2);

type HttpOverhead = { httpRps: number; httpP50Us: number; sqlP50Us: number; httpP99Us: number; sqlP99Us: number; addedP50Us: number; text: string };

/**
 * Per function: the HTTP load (one function at a time, autocannon) next to the same function's
 * direct-SQL calls in the load engine's run on OPT3 (the statement `rpc serve` sends, mixed with
 * the other types). The latency difference is what the HTTP layer adds per call; SQL throughput is
 * not shown, as the engine's run shares its connections among the types. Pure.
 */
export function httpOverhead(http: Readonly<Record<string, RpcLoadResult>>, sql: Readonly<Record<string, LatencySummary>>): Record<string, HttpOverhead> {
  const out: Record<string, HttpOverhead> = {};
  for (const [fn, h] of Object.entries(http)) {
    const s = sql[fn];
    if (!s) continue;
    const addedP50Us = h.latency.p50 - s.p50;
    out[fn] = {
      httpRps: h.rps, httpP50Us: h.latency.p50, sqlP50Us: s.p50, httpP99Us: h.latency.p99, sqlP99Us: s.p99, addedP50Us,
      text: `HTTP p50 ${ms(h.latency.p50)} p99 ${ms(h.latency.p99)} ms (${h.rps.toFixed(0)} req/s) vs SQL p50 ${ms(s.p50)} p99 ${ms(s.p99)} ms (${addedP50Us >= 0 ? '+' : '−'}${ms(Math.abs(addedP50Us))} ms p50)`,
    };
  }
  return out;
}

const callSql = (api: string, fn: string, keyOf: string, names: readonly string[]): string =>
  `SELECT ${quoteIdent(keyOf)}::text AS k FROM ${quoteIdent(api)}.${quoteIdent(fn)}(${names.map((n, i) => `${quoteIdent(n)} => $${i + 1}`).join(', ')})`;

/** Views and their indexes. */
async function viewChecks(client: pg.Client, schema: string, targets: Targets): Promise<{ checks: Check[]; views: string[] }> {
  const views = (await client.query<{ matviewname: string; ispopulated: boolean }>('SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = $1 ORDER BY 1', [schema])).rows;
  const indexes = (await client.query<{ tablename: string; indexname: string; indexdef: string }>('SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY 1, 2', [schema, views.map((v) => v.matviewname)])).rows;
  const populated = views.filter((v) => v.ispopulated).length;
  const withUnique = views.filter((v) => indexes.some((i) => i.tablename === v.matviewname && /^CREATE UNIQUE INDEX/.test(i.indexdef))).length;
  return {
    views: views.map((v) => v.matviewname),
    checks: [
      targetCheck('Materialized Views (populated)', targets.get('opt3.materialized_views'), populated, { views }),
      targetCheck('View Indexes', targets.get('opt3.view_indexes'), indexes.length, { indexes: indexes.map((i) => `${i.tablename}.${i.indexname}`) }),
      targetCheck('Index Coverage (views with a unique index)', targets.get('opt3.index_coverage'), views.length ? withUnique / views.length : null),
    ],
  };
}

/** Each RPC function against the base table, SAMPLES seeded calls each. */
async function correctnessCheck(client: pg.Client, api: string, seed: number, totalRows: number, targets: Targets): Promise<Check> {
  const correctness: Record<string, { samples: number; matches: number; mismatch?: unknown }> = {};
  let total = 0;
  let ok = 0;
  for (const eq of RPC_EQUIVALENTS) {
    const rng = seedrandom.alea(`${seed}:validate-opt3:${eq.fn}`);
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
  return targetCheck(`RPC Functions Operational (${RPC_EQUIVALENTS.length} × ${SAMPLES} calls = table)`, targets.get('opt3.rpc_correct'), total ? ok / total : null, correctness);
}

/** The routed type's staleness during the run, when its route reads a view; '' for a live route. */
function stalenessText(run: RunResult, type: string, route: string): string {
  return queryRoute(type, route).freshness.kind === 'stale-bounded' ? `; ${worstStaleness(run.segments, AFTER, type).text}` : '';
}

/** The KPI over the six functions and a line per function and per OPT3-routed workload type. */
function latencyChecks(run: RunResult, targets: Targets): Check[] {
  const w = workloadImprovement(run, BEFORE, AFTER, RPC_KPI_WEIGHTS);
  const stale = RPC_TYPES.filter((t) => t.routes!.rpc!.freshness.kind === 'stale-bounded').map((t) => `${t.fn}: ${worstStaleness(run.segments, AFTER, t.name).text}`);
  const kpi = workloadCheck(`RPC Function Latency vs baseline (${RPC_TYPES.length} functions vs their base-table queries, equal shares, under load)`, targets.get('opt3.rpc_latency_improvement'), w, { weights: RPC_KPI_WEIGHTS });
  const staleNote = stale.length ? `stale-bounded functions (faster partly because they read views): ${stale.join('; ')}` : undefined;
  const checks: Check[] = [staleNote ? { ...kpi, note: kpi.note ? `${kpi.note}; ${staleNote}` : staleNote } : kpi];
  for (const t of RPC_TYPES) {
    const p = w.perType.find((r) => r.queryType === t.name);
    checks.push(infoCheck(`RPC vs table: ${t.fn} (mean latency, under load)`,
      p && p.baselineMeanUs !== null && p.optimizedMeanUs !== null ? `${ms(p.optimizedMeanUs)} vs ${ms(p.baselineMeanUs)} ms (${fmtPct(p.change)})${stalenessText(run, t.name, 'rpc')}` : 'not measured', p));
  }
  const comparison = run.comparisons.find((c) => !('unavailable' in c) && c.optimized === AFTER);
  for (const [type, route] of Object.entries(OPT3_ROUTES)) {
    const row = comparison && !('unavailable' in comparison) ? comparison.byQueryType.find((r) => r.queryType === type) : undefined;
    const p50 = row?.metrics.p50;
    checks.push(infoCheck(`${type} via ${route} (p50 change, 95% CI)`,
      p50 && p50.change !== null ? `${fmtPct(p50.change)}${p50.ciAvailable ? ` [${fmtPct(p50.ciLow)}, ${fmtPct(p50.ciHigh)}]` : ''}${stalenessText(run, type, route)}` : 'not measured',
      { metrics: row?.metrics, staleness: worstStaleness(run.segments, AFTER, type) }));
  }
  return checks;
}

/** RPC over HTTP, one function at a time, with the server in its own process (or --rpc-url). */
async function httpLoads(ctx: ValidateContext, after: { target: Parameters<typeof startRpcProcess>[0] }, totalRows: number): Promise<Record<string, RpcLoadResult>> {
  const rpcSec = Math.min(ctx.durationSec, 10);
  ctx.log(`RPC load over HTTP: ${RPC_TYPES.length} functions × ${rpcSec} s, ${ctx.connections} connections`);
  const server = ctx.rpc ? { url: ctx.rpc.url, stop: async () => {} } : await startRpcProcess(after.target, { connections: ctx.connections });
  if (ctx.rpc) ctx.log(`  HTTP load against ${redact(ctx.rpc.url)} (--rpc-url) instead of geobench rpc serve`);
  const loads: Record<string, RpcLoadResult> = {};
  try {
    for (const t of RPC_TYPES) {
      // The same generator as the load engine's RPC type; the API's default page size (max_rows left out).
      loads[t.fn] = await runRpcLoad({
        fn: t.fn, args: (rng: () => number) => t.draw(rng, totalRows), seed: `${ctx.seed}:rpc:${t.fn}`, connections: ctx.connections,
        durationSec: rpcSec, warmupSec: 1, signal: ctx.signal, url: server.url, apiKey: ctx.rpc?.apiKey, allowRemote: ctx.rpc?.allowRemote,
      });
      const l = loads[t.fn]!;
      ctx.log(`  ${t.fn}: HTTP ${l.rps.toFixed(0)} req/s p50 ${ms(l.latency.p50)} ms p99 ${ms(l.latency.p99)} ms non-2xx ${l.non2xx}`);
    }
  } finally {
    await server.stop();
  }
  return loads;
}

function httpChecks(loads: Record<string, RpcLoadResult>, run: RunResult, targets: Targets): { checks: Check[]; perFn: unknown; overhead: unknown } {
  const rpsValues = Object.values(loads).map((l) => l.rps);
  const worstP99 = Math.max(...Object.values(loads).map((l) => l.latency.p99));
  const failures = Object.values(loads).reduce((s, l) => s + l.non2xx + l.errors + l.timeouts, 0);
  const perFn = Object.fromEntries(Object.entries(loads).map(([fn, l]) => [fn, { rps: l.rps, p50: l.latency.p50, p99: l.latency.p99, non2xx: l.non2xx, errors: l.errors, timeouts: l.timeouts, statusCodes: l.statusCodes, errorSamples: l.errorSamples }]));
  const afterStats = run.results.variants.find((v) => v.variant === AFTER)?.byQueryType ?? {};
  const sql = Object.fromEntries(RPC_TYPES.flatMap((t) => (afterStats[t.name] ? [[t.fn, afterStats[t.name]!.latency]] : [])));
  const overhead = httpOverhead(loads, sql);
  const checks = [
    targetCheck('RPC Throughput (mean of the 6 functions, HTTP)', targets.get('opt3.rpc_throughput'), rpsValues.reduce((a, b) => a + b, 0) / rpsValues.length, perFn),
    targetCheck('RPC Latency (p99, worst function, HTTP)', targets.get('opt3.rpc_p99'), Number.isFinite(worstP99) ? worstP99 : null),
    targetCheck('RPC Errors (non-2xx, socket errors, timeouts)', targets.get('opt3.rpc_errors'), failures / Math.max(1, Object.values(loads).reduce((s, l) => s + l.requests, 0))),
    ...Object.entries(overhead).map(([fn, o]) => infoCheck(`HTTP overhead: ${fn} (HTTP load vs the load engine's direct-SQL calls)`, o.text, o)),
  ];
  return { checks, perFn, overhead };
}

/** The views stay readable while REFRESH … CONCURRENTLY rebuilds them. */
async function availabilityCheck(ctx: ValidateContext, client: pg.Client, target: Parameters<typeof Prober.start>[0], views: readonly string[]): Promise<Check> {
  ctx.log(`refreshing the ${views.length} views concurrently while a prober reads them every 100 ms`);
  const probeSql = views.map((v) => `(SELECT 1 FROM ${quoteIdent(v)} LIMIT 1)`).join(' UNION ALL ');
  const prober = await Prober.start(target, { sql: probeSql || 'SELECT 1' });
  const refresh: Record<string, number> = {};
  const progress = stepProgress({ label: 'refresh concurrently', total: views.length, unit: 'views', showRate: false });
  try {
    for (const v of views) {
      const t = performance.now();
      await client.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${quoteIdent(v)}`);
      refresh[v] = (performance.now() - t) / 1000;
      progress.update(Object.keys(refresh).length);
    }
  } finally {
    progress.finish();
  }
  const probe = await prober.stop();
  return targetCheck('View Availability (during REFRESH CONCURRENTLY)', ctx.targets.get('opt3.view_availability'), probe.probes ? probe.availability : null, { probe, refreshSec: refresh });
}

/**
 * The roadmap's OPT3_INDEXED_VIEWS_RPC_SEARCH_VALIDATOR, measured: views and their indexes exist
 * and are populated, each RPC function answers what the base table says, each RPC function against
 * its base-table query under load through the load engine (before/after OPT3 interleaved, with
 * repetitions; the stale-bounded ones with their measured staleness), cache hit ratio before →
 * after, RPC throughput and p99 over HTTP (our `rpc serve` in its own process, autocannon load)
 * next to the engine's direct-SQL calls, and the views' availability while REFRESH … CONCURRENTLY runs.
 */
export const opt3Validator: Validator = {
  name: 'opt3',
  roadmapName: 'OPT3_INDEXED_VIEWS_RPC_SEARCH_VALIDATOR',
  description: 'OPT3 indexed materialized views + RPC search: views, indexes, correctness, RPC latency under load, RPC throughput/latency over HTTP, cache, availability',
  async run(ctx: ValidateContext): Promise<ValidationOutcome> {
    const log = ctx.log;
    const catalog = loadCatalog(ctx.sqlDir);
    const previous = resolveTarget(catalog, 'OPT3') - 1;
    const beforeTag = previous < 0 ? BASELINE_TAG : catalog[previous]!.tag;
    const opts = { log, signal: ctx.signal, workers: ctx.loadWorkers };
    await prepareSchema(ctx.server, { name: BEFORE, schema: stateSchema(BEFORE), migrateTo: beforeTag, scale: ctx.scale, seed: ctx.seed, importedFrom: ctx.importedFrom }, ctx.sqlDir, opts);
    const after = await prepareSchema(ctx.server, { name: AFTER, schema: stateSchema(AFTER), migrateTo: 'OPT3', scale: ctx.scale, seed: ctx.seed, importedFrom: ctx.importedFrom }, ctx.sqlDir, opts);
    const totalRows = rowsForScale(ctx.scale);
    const client = await connect(after.target, 'geobench-validate');
    const checks: Check[] = [];
    const evidence: Record<string, unknown> = { beforeState: beforeTag };
    const variants = [
      { name: BEFORE, schema: stateSchema(BEFORE), migrateTo: beforeTag, description: `${beforeTag} (before OPT3): the base-table equivalents` },
      { name: AFTER, schema: stateSchema(AFTER), migrateTo: 'OPT3', description: 'OPT3: the RPC functions (as rpc serve calls them) and the view routes', routes: AFTER_ROUTES },
    ];
    let run: RunResult;
    let cacheAt = 0;
    let mainSizes: CacheSizes;
    try {
      await client.query(`SET search_path = ${searchPath(after.schema)}`);
      const v = await viewChecks(client, after.schema, ctx.targets);
      checks.push(...v.checks, await correctnessCheck(client, `${after.schema}_api`, ctx.seed, totalRows, ctx.targets));

      log(`RPC functions vs their base-table queries under load: ${beforeTag} vs OPT3 (RPC types routed to the functions, ${Object.entries(OPT3_ROUTES).map(([q, r]) => `${q} via ${r}`).join(', ')}; W1 writes)`);
      run = await runComparison(ctx, 'validate-opt3', variants, LATENCY_WORKLOAD);
      checks.push(...latencyChecks(run, ctx.targets));
      cacheAt = checks.length;
      mainSizes = await measureCacheSizes(client, run);

      const http = httpChecks(await httpLoads(ctx, after, totalRows), run, ctx.targets);
      checks.push(...http.checks);
      checks.push(await availabilityCheck(ctx, client, after.target, v.views));
      evidence.rpcLoads = http.perFn;
      evidence.httpOverhead = http.overhead;
    } finally {
      await client.end().catch(() => {});
    }
    // Last, with no connection of ours open: the embedded server restarts twice for it.
    const small = await runAtSmallBuffers(ctx, 'validate-opt3', variants, LATENCY_WORKLOAD, BEFORE, run);
    checks.splice(cacheAt, 0, 'unavailable' in small
      ? cacheHitCheck('Cache Hit Ratio (before → after, RPC load)', ctx.targets.get('opt3.cache_hit'), run, BEFORE, AFTER, mainSizes)
      : cacheHitCheck(`Cache Hit Ratio (before → after, RPC load at shared_buffers ${(small.sizes.sharedBuffersBytes / 2 ** 20).toFixed(0)} MB)`, ctx.targets.get('opt3.cache_hit'), small.run, BEFORE, AFTER, small.sizes));
    return { checks, evidence, runResult: 'result.json' };
  },
};
