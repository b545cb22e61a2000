import path from 'node:path';
import type pg from 'pg';
import { analyzeOverhead } from '../analysis/overhead.ts';
import { connect } from '../db/connect.ts';
import { withSchema } from '../db/target.ts';
import { schemaJobRuns } from '../evidence/cron-jobs.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { loadCatalog } from '../migrate/catalog.ts';
import type { RunResult } from '../formats/run-result.ts';
import { reductionKpi } from '../analysis/decision.ts';
import { parseKpiTarget } from '../analysis/kpi.ts';
import { infoCheck, intervalCheck, targetCheck, type Check } from './checks.ts';
import { readMixOf, runComparison, workloadCheck, workloadImprovement } from './comparison-run.ts';
import { measureMaintenance, withMaintenanceFailures } from './maintenance-cost.ts';
import { loadProductionLoad } from './production-load.ts';
import { routesForTarget } from './route-choice.ts';
import { stability } from './stability.ts';
import { runStressComparison } from './stress-step.ts';
import { stateSchema } from './state-schemas.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

const BEFORE = 'combined_before';
const AFTER = 'combined_after';
/** The offered load of the comparison, as a share of the slower variant's closed-loop capacity. */
const LOAD_SHARE = 0.5;

const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`);
const ci = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? '' : ` [${pct(lo)}, ${pct(hi)}]`);
const throughputOf = (r: RunResult, variant: string): number | null => r.results.variants.find((v) => v.variant === variant)?.byQueryType['*']?.throughput ?? null;

async function withClientOf<T>(ctx: ValidateContext, variant: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(withSchema(ctx.server, stateSchema(variant)), 'geobench-validate');
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The roadmap's OPT2_OPT5_PERFORMANCE_SIMULATOR, replaced by a measurement: the production
 * state (OPT1) against OPT1 + OPT2…OPT5 with the query types OPT3 serves routed to its views and
 * functions, the same seeded workload at the same offered load (an open model at half the slower
 * variant's measured capacity), interleaved repetitions, OPT5's triggers live on the write path.
 * Overhead per 1,000 operations (docs/overhead.md) from pg_stat_statements and the measured cost
 * of every scheduled maintenance job at its production schedule; CPU and memory of the server.
 */
export const combinedValidator: Validator = {
  name: 'combined',
  roadmapName: 'OPT2_OPT5_PERFORMANCE_SIMULATOR',
  description: 'OPT1 vs OPT1+OPT2…OPT5: combined overhead reduction, query improvement, latency/throughput/CPU/memory change, stability, capacity at the p99 SLO (stress)',
  async run(ctx: ValidateContext): Promise<ValidationOutcome> {
    const log = ctx.log;
    const production = loadProductionLoad();
    const catalog = loadCatalog(ctx.sqlDir);
    const last = catalog[catalog.length - 1]!.tag;
    const variants = [
      { name: BEFORE, schema: stateSchema(BEFORE), migrateTo: 'OPT1', description: 'OPT1 (production state)' },
      { name: AFTER, schema: stateSchema(AFTER), migrateTo: last, description: `OPT1 + ${catalog.slice(1).map((m) => m.tag).join(' + ')}, routed query types on OPT3/OPT5's objects`, routes: routesForTarget(catalog, last) },
    ];

    log('capacity: closed loop, one repetition per variant');
    const capacityDir = path.join(ctx.outDir, 'capacity');
    const capacity = await runComparison(
      { ...ctx, outDir: capacityDir, runId: `${ctx.runId}-capacity`, repetitions: 1, durationSec: Math.min(10, ctx.durationSec), warmupSec: Math.min(3, ctx.warmupSec) },
      'combined-capacity', variants,
    );
    const capBefore = throughputOf(capacity, BEFORE);
    const capAfter = throughputOf(capacity, AFTER);
    if (!capBefore || !capAfter) throw new Error('the capacity run measured no throughput; see capacity/result.json');
    const rate = Math.max(1, Math.round(LOAD_SHARE * Math.min(capBefore, capAfter) * 10) / 10);

    log(`comparison: open model at ${rate} ops/s (${LOAD_SHARE * 100}% of the slower variant's ${Math.min(capBefore, capAfter).toFixed(1)} ops/s), ${ctx.repetitions} interleaved repetitions`);
    const comparisonStart = new Date().toISOString();
    const run = await runComparison(ctx, 'validate-combined', variants, undefined, { model: 'open', rate, arrival: 'poisson', connections: Math.max(ctx.connections, 8) });
    // pg_cron runs that fired on their own during the comparison: marked on the report's timelines.
    const cronRuns = await withClientOf(ctx, AFTER, (c) => schemaJobRuns(c, stateSchema(AFTER), comparisonStart)).catch(() => []);
    writeFileAtomic(path.join(ctx.outDir, 'events.json'), `${JSON.stringify(cronRuns.map((r) => ({ at: r.start, label: `pg_cron ${r.jobname.split(':').pop()} (${r.status}${r.durationMs === null ? '' : `, ${(r.durationMs / 1000).toFixed(1)} s`})`, variant: AFTER })), null, 2)}\n`);

    log(`maintenance: each scheduled job of ${stateSchema(AFTER)} timed once after the rows its interval brings at ${production.opsPerSec} ops/s (${production.source})`);
    const maintenance = await measureMaintenance(ctx, stateSchema(AFTER), production);
    const analysis = analyzeOverhead(run, BEFORE, AFTER, { [AFTER]: maintenance.msPerHour });

    const after = run.results.variants.find((v) => v.variant === AFTER)?.byQueryType['*'];
    const stable = after ? stability(after) : null;
    const cmp = run.comparisons.find((c) => !('unavailable' in c) && c.optimized === AFTER);
    const overall = cmp && !('unavailable' in cmp) ? cmp.overall.metrics : undefined;
    const o = analysis.overhead;
    const overheadTarget = ctx.targets.get('combined.overhead_reduction');
    const overheadKpi = reductionKpi(o.paired, parseKpiTarget(overheadTarget.target));
    const checks: Check[] = [
      withMaintenanceFailures(intervalCheck('Overhead Reduction (database ms per 1,000 ops)', overheadTarget, overheadKpi.estimate, overheadKpi.interval, {
        evidence: { ...o, method: '1 − geometric mean over repetitions of optimized/baseline (statement exec+plan ms + prorated maintenance ms) per 1,000 operations; 95% paired t-interval on the log ratios', maintenance },
        repetitionsToDecide: overheadKpi.repetitionsToDecide,
      }), maintenance),
      workloadCheck('Query Improvement (workload cost at the read mix, mean latency)', ctx.targets.get('combined.query_improvement'), workloadImprovement(run, BEFORE, AFTER, readMixOf(run)),
        { load: 'the same offered load for both variants' }),
      targetCheck(`System Stability (intended operations answered without error, ${ctx.repetitions} × ${ctx.durationSec} s)`, ctx.targets.get('combined.stability'), stable?.share,
        { method: '1 − (errors + timeouts + dropped) / (answered + errors + timeouts + dropped); late operations were answered and are reported, not counted', errors: after?.errors, timeouts: after?.timeouts, dropped: after?.dropped, late: after?.late, ops: after?.ops, intended: stable?.intended }),
      infoCheck('Overhead per 1,000 ops (baseline → optimized)', `${o.baseline?.toFixed(0) ?? 'n/a'} → ${o.optimized?.toFixed(0) ?? 'n/a'} ms (${pct(o.reduction === null ? null : -o.reduction)}${ci(o.ciHigh === null ? null : -o.ciHigh, o.ciLow === null ? null : -o.ciLow)})`),
      infoCheck('Maintenance (scheduled jobs at their production schedule)', maintenance.jobs === null ? 'pg_cron not installed' : `${(maintenance.msPerHour / 1000).toFixed(1)} s of work per hour over ${maintenance.jobs.length} jobs${maintenance.failures.length ? ` (${maintenance.failures.length} failed)` : ''}`, maintenance.jobs),
      infoCheck('Latency change (mean, all query types, geometric mean)', overall ? `${pct(overall.mean.change)}${ci(overall.mean.ciLow, overall.mean.ciHigh)}` : 'n/a', overall?.mean),
      infoCheck('Latency change (p99, all query types, geometric mean)', overall ? `${pct(overall.p99.change)}${ci(overall.p99.ciLow, overall.p99.ciHigh)}` : 'n/a', overall?.p99),
      infoCheck('Throughput change (closed-loop capacity)', `${capBefore.toFixed(1)} → ${capAfter.toFixed(1)} ops/s (${pct(capAfter / capBefore - 1)})`, { capacityResult: 'capacity/result.json' }),
      infoCheck('CPU utilization change (server CPU s per 1,000 ops)', `${analysis.cpu.baseline?.toFixed(2) ?? 'n/a'} → ${analysis.cpu.optimized?.toFixed(2) ?? 'n/a'} s (${pct(analysis.cpu.reduction === null ? null : -analysis.cpu.reduction)})`, analysis.cpu),
      infoCheck('Memory utilization change (server PSS, max of the samples taken while the load runs)', `${analysis.memory.baseline === null ? 'n/a' : (analysis.memory.baseline / 2 ** 20).toFixed(0)} → ${analysis.memory.optimized === null ? 'n/a' : (analysis.memory.optimized / 2 ** 20).toFixed(0)} MiB (${pct(analysis.memory.reduction === null ? null : -analysis.memory.reduction)})`, analysis.memory),
    ];
    // Last, so its own schema preparation and load cannot touch the measurements above.
    // The capacity search adds minutes: opt-in (validate --stress), so nightly and quick runs stay short.
    let stressFile: string | null = null;
    if (ctx.stress && !ctx.signal.aborted) {
      log('stress: capacity at the p99 SLO of scenarios/stress.json, both variants interleaved (docs/stress.md); writes stress.json');
      const stress = await runStressComparison(ctx, variants);
      checks.push(...stress.checks);
      stressFile = path.basename(stress.file);
    }
    return { checks, runResult: 'result.json', evidence: { stress: stressFile, cronRunsDuringComparison: cronRuns, offeredRate: rate, capacity: { before: capBefore, after: capAfter }, overhead: analysis, maintenance } };
  },
};
