import path from 'node:path';
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { connect } from '../db/connect.ts';
import { workloadSearchPath } from '../db/schema.ts';
import type { DbTarget } from '../db/target.ts';
import {
  diffDatabaseStats, diffStatements, explainAnalyze, identifyStatements, measureSizes, snapshotDatabaseStats, snapshotStatements, summarizePlan,
  snapshotServerCpu, diffServerCpu, snapshotClientCpu, diffClientCpu, type StatementIds, type Unavailable,
} from '../evidence/index.ts';
import { unavailable } from '../evidence/unavailable.ts';
import { MemorySampler } from '../evidence/server-memory.ts';
import { queryRoute, routedQueryType } from '../queries/index.ts';
import { measureRouteStaleness, type StaleRoute } from '../evidence/route-staleness.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { RunPlan } from './plan.ts';
import { readParamSample } from '../dataset/param-sample.ts';
import type { PreparedVariant } from './prepare.ts';

type Snapshots = {
  statements: Awaited<ReturnType<typeof snapshotStatements>>;
  database: Awaited<ReturnType<typeof snapshotDatabaseStats>> | null;
  serverCpu: Awaited<ReturnType<typeof snapshotServerCpu>>;
  clientCpu: ReturnType<typeof snapshotClientCpu>;
};

/**
 * Server-side evidence around each measurement window, on one connection of its own: deltas of
 * pg_stat_statements (per query type, matched by each variant's queryids), pg_stat_database
 * (buffer hit ratio), server and client CPU, and server memory sampled while the load runs.
 * A database that went away makes the evidence `unavailable`, never the run hang.
 */
export class SegmentEvidence {
  private before: Snapshots | undefined;
  private broken: string | undefined;
  private ids: StatementIds | Unavailable = unavailable('no variant measured yet');
  private memory: MemorySampler | undefined;

  private variant: string | undefined;

  private constructor(
    private readonly client: pg.Client | undefined,
    private readonly idsByVariant: ReadonlyMap<string, StatementIds | Unavailable>,
    private readonly windowSec: number,
    /** Per variant: its schema and the routes it takes that read a materialized view. */
    private readonly staleByVariant: ReadonlyMap<string, { schema: string; routes: StaleRoute[] }>,
  ) {}

  /** Opens the evidence connection and finds every variant's queryids (before any measurement). */
  static async open(server: DbTarget, plan: RunPlan, prepared: readonly PreparedVariant[]): Promise<SegmentEvidence> {
    const idsByVariant = new Map<string, StatementIds | Unavailable>();
    for (const v of prepared) idsByVariant.set(v.name, await variantStatementIds(v, plan).catch((err: Error) => unavailable(`cannot find the queryids of ${v.name}: ${err.message}`)));
    const staleByVariant = new Map(plan.variants.map((v) => [v.name, {
      schema: v.schema,
      routes: Object.entries(v.routes).flatMap(([queryType, route]): StaleRoute[] => {
        const r = queryRoute(queryType, route);
        return r.freshness.kind === 'stale-bounded' ? [{ queryType, route, requires: r.requires, freshness: r.freshness }] : [];
      }),
    }]));
    const client = await connect(server, 'geobench-evidence').catch(() => undefined);
    return new SegmentEvidence(client, idsByVariant, plan.durationSec, staleByVariant);
  }

  private async snapshot(): Promise<Snapshots> {
    const c = this.client!;
    return {
      statements: await snapshotStatements(c, this.ids),
      database: await snapshotDatabaseStats(c),
      serverCpu: await snapshotServerCpu(c),
      clientCpu: snapshotClientCpu(),
    };
  }

  /** Called with the workload idle, just before the window opens. */
  async start(variant: string): Promise<void> {
    this.ids = this.idsByVariant.get(variant) ?? unavailable(`no queryids for variant ${variant}`);
    this.variant = variant;
    if (!this.client || this.broken) return;
    try {
      this.before = await this.snapshot();
      const cpu = this.before.serverCpu;
      this.memory = cpu.available ? new MemorySampler(cpu.postmasterPid, this.windowSec) : undefined;
    } catch (err) {
      this.broken = (err as Error).message;
    }
  }

  async finish(): Promise<unknown> {
    const memory = this.memory?.stop() ?? unavailable('server processes not visible from this machine');
    this.memory = undefined;
    if (!this.client) return { available: false, reason: 'no evidence connection' };
    if (this.broken || !this.before) return { available: false, reason: this.broken ?? 'measurement never started' };
    try {
      const after = await this.snapshot();
      const stale = this.variant === undefined ? undefined : this.staleByVariant.get(this.variant);
      // At the window's end: how old the answers of this variant's stale-bounded routes can be.
      const routeStaleness = stale?.routes.length ? await measureRouteStaleness(this.client, stale.schema, stale.routes) : undefined;
      const before = this.before;
      this.before = undefined;
      return {
        available: true,
        statements: diffStatements(before.statements, after.statements),
        database: before.database && after.database ? diffDatabaseStats(before.database, after.database) : null,
        serverCpu: diffServerCpu(before.serverCpu, after.serverCpu),
        clientCpu: diffClientCpu(before.clientCpu, after.clientCpu),
        serverMemory: memory,
        ...(routeStaleness ? { routeStaleness } : {}),
      };
    } catch (err) {
      this.broken = (err as Error).message;
      return { available: false, reason: this.broken };
    }
  }

  async close(): Promise<void> {
    this.memory?.stop();
    await this.client?.end().catch(() => {});
  }
}

/**
 * Each workload statement's queryid in one variant: EXPLAIN (VERBOSE) of a seeded parameter set
 * on a connection like the workers' (the variant's role and search_path).
 */
async function variantStatementIds(variant: PreparedVariant, plan: RunPlan): Promise<StatementIds | Unavailable> {
  const routes = plan.variants.find((v) => v.name === variant.name)?.routes ?? {};
  const statements = Object.fromEntries(plan.workload.map(({ queryType: name }) => {
    const q = routedQueryType(name, routes[name]);
    return [name, { sql: q.sql, params: q.params(seedrandom.alea(`${plan.paramSeed}:queryid:${name}`), { totalRows: plan.dataset.totalRows }) }];
  }));
  const client = await connect(variant.target, 'geobench-queryid');
  try {
    await client.query(`SET search_path = ${workloadSearchPath(variant.schema)}`);
    return await identifyStatements(client, statements);
  } finally {
    await client.end().catch(() => {});
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of one seeded sample of each query type, kept as files. */
export async function capturePlans(variant: PreparedVariant, plan: RunPlan, outDir: string): Promise<Record<string, { file: string; summary: unknown }>> {
  const client = await connect(variant.target, 'geobench-explain');
  const out: Record<string, { file: string; summary: unknown }> = {};
  try {
    await client.query(`SET search_path = ${workloadSearchPath(variant.schema)}`);
    const routes = plan.variants.find((v) => v.name === variant.name)?.routes ?? {};
    const sample = await readParamSample(client, variant.schema);
    for (const { queryType: name } of plan.workload) {
      const q = routedQueryType(name, routes[name]);
      // The same sample for every variant: seeded by the run's parameter seed and the query type.
      const values = q.params(seedrandom.alea(`${plan.paramSeed}:explain:${name}`), { totalRows: plan.dataset.totalRows, sample });
      const json = await explainAnalyze(client, q.sql, values);
      const file = path.join('plans', variant.name, `${name}.json`);
      writeFileAtomic(path.join(outDir, file), `${JSON.stringify({ queryType: name, route: routes[name] ?? null, sql: q.sql, params: values, plan: json }, null, 2)}\n`);
      out[name] = { file, summary: summarizePlan(json) };
    }
  } finally {
    await client.end().catch(() => {});
  }
  return out;
}

export async function captureSizes(variant: PreparedVariant): Promise<unknown> {
  const client = await connect(variant.target, 'geobench-sizes');
  try {
    return await measureSizes(client, variant.schema);
  } finally {
    await client.end().catch(() => {});
  }
}
