import path from 'node:path';
import seedrandom from 'seedrandom';
import type pg from 'pg';
import { connect } from '../db/connect.ts';
import { workloadSearchPath } from '../db/schema.ts';
import type { DbTarget } from '../db/target.ts';
import {
  diffDatabaseStats, diffStatements, explainAnalyze, measureSizes, snapshotDatabaseStats, snapshotStatements, summarizePlan,
  snapshotServerCpu, diffServerCpu, snapshotClientCpu, diffClientCpu,
} from '../evidence/index.ts';
import { routedQueryType } from '../queries/index.ts';
import { serverMemory } from '../evidence/server-memory.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { RunPlan } from './plan.ts';
import type { PreparedVariant } from './prepare.ts';

type Snapshots = {
  statements: Awaited<ReturnType<typeof snapshotStatements>>;
  database: Awaited<ReturnType<typeof snapshotDatabaseStats>> | null;
  serverCpu: Awaited<ReturnType<typeof snapshotServerCpu>>;
  clientCpu: ReturnType<typeof snapshotClientCpu>;
};

/**
 * Server-side evidence around each measurement window, on one connection of its own: deltas of
 * pg_stat_statements (per query type), pg_stat_database (buffer hit ratio), server and client CPU.
 * A database that went away makes the evidence `unavailable`, never the run hang.
 */
export class SegmentEvidence {
  private before: Snapshots | undefined;
  private broken: string | undefined;

  /** The SQL text of the segment being measured, per query type (a variant's routes change it). */
  private sqlTexts: Record<string, string> = {};

  private constructor(private readonly client: pg.Client | undefined, private readonly textsByVariant: ReadonlyMap<string, Record<string, string>>) {}

  static async open(server: DbTarget, plan: RunPlan): Promise<SegmentEvidence> {
    const textsByVariant = new Map(plan.variants.map((v) => [v.name, Object.fromEntries(plan.workload.map((w) => [w.queryType, routedQueryType(w.queryType, v.routes[w.queryType]).sql]))]));
    const client = await connect(server, 'geobench-evidence').catch(() => undefined);
    return new SegmentEvidence(client, textsByVariant);
  }

  private async snapshot(): Promise<Snapshots> {
    const c = this.client!;
    return {
      statements: await snapshotStatements(c, this.sqlTexts),
      database: await snapshotDatabaseStats(c),
      serverCpu: await snapshotServerCpu(c),
      clientCpu: snapshotClientCpu(),
    };
  }

  async start(variant: string): Promise<void> {
    this.sqlTexts = this.textsByVariant.get(variant) ?? {};
    if (!this.client || this.broken) return;
    try {
      this.before = await this.snapshot();
    } catch (err) {
      this.broken = (err as Error).message;
    }
  }

  async finish(): Promise<unknown> {
    if (!this.client) return { available: false, reason: 'no evidence connection' };
    if (this.broken || !this.before) return { available: false, reason: this.broken ?? 'measurement never started' };
    try {
      const after = await this.snapshot();
      const before = this.before;
      this.before = undefined;
      return {
        available: true,
        statements: diffStatements(before.statements, after.statements),
        database: before.database && after.database ? diffDatabaseStats(before.database, after.database) : null,
        serverCpu: diffServerCpu(before.serverCpu, after.serverCpu),
        clientCpu: diffClientCpu(before.clientCpu, after.clientCpu),
        // At the window's end: the server's memory with this variant's working set loaded.
        serverMemory: after.serverCpu.available ? serverMemory(after.serverCpu.postmasterPid) : after.serverCpu,
      };
    } catch (err) {
      this.broken = (err as Error).message;
      return { available: false, reason: this.broken };
    }
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of one seeded sample of each query type, kept as files. */
export async function capturePlans(variant: PreparedVariant, plan: RunPlan, outDir: string): Promise<Record<string, { file: string; summary: unknown }>> {
  const client = await connect(variant.target, 'geobench-explain');
  const out: Record<string, { file: string; summary: unknown }> = {};
  try {
    await client.query(`SET search_path = ${workloadSearchPath(variant.schema)}`);
    const routes = plan.variants.find((v) => v.name === variant.name)?.routes ?? {};
    for (const { queryType: name } of plan.workload) {
      const q = routedQueryType(name, routes[name]);
      // The same sample for every variant: seeded by the run's parameter seed and the query type.
      const values = q.params(seedrandom.alea(`${plan.paramSeed}:explain:${name}`), { totalRows: plan.dataset.totalRows });
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
