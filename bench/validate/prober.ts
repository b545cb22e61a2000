import type pg from 'pg';
import { connect } from '../db/connect.ts';
import { searchPath } from '../db/schema.ts';
import type { DbTarget } from '../db/target.ts';

/**
 * Availability prober: reads the table every ~100 ms on a connection of its own while a
 * migration (or a refresh) runs. A read blocked by a lock or failing counts as unavailable for as
 * long as it took; the longest such stretch is the downtime a client would have seen.
 */
export interface ProbeReport {
  readonly probes: number;
  readonly failed: number;
  /** Longest time (ms) between a probe's start and the next successful answer. */
  readonly longestUnavailableMs: number;
  /** Sum of probe time (ms) beyond the normal answer time, over all slow or failed probes. */
  readonly totalUnavailableMs: number;
  /** Share of probes that answered within `slowMs`. */
  readonly availability: number;
  readonly slowMs: number;
  readonly errors: Record<string, number>;
}

export class Prober {
  private stopped = false;
  private readonly done: Promise<ProbeReport>;

  private constructor(client: pg.Client, sql: string, intervalMs: number, slowMs: number) {
    this.done = this.loop(client, sql, intervalMs, slowMs);
  }

  /** Starts probing `sql` (default: read one row of geometrias) in the target's schema. */
  static async start(target: DbTarget, options: { sql?: string; intervalMs?: number; slowMs?: number } = {}): Promise<Prober> {
    const client = await connect(target, 'geobench-prober');
    await client.query(`SET search_path = ${searchPath(target.schema)}`);
    return new Prober(client, options.sql ?? 'SELECT id FROM geometrias LIMIT 1', options.intervalMs ?? 100, options.slowMs ?? 1000);
  }

  private async loop(client: pg.Client, sql: string, intervalMs: number, slowMs: number): Promise<ProbeReport> {
    let probes = 0;
    let failed = 0;
    let ok = 0;
    let longest = 0;
    let total = 0;
    let outageStart: number | undefined;
    const errors: Record<string, number> = {};
    while (!this.stopped) {
      const started = performance.now();
      let success = true;
      try {
        await client.query(sql);
      } catch (err) {
        success = false;
        failed++;
        const m = (err as Error).message.slice(0, 120);
        errors[m] = (errors[m] ?? 0) + 1;
      }
      const took = performance.now() - started;
      probes++;
      if (success && took <= slowMs) {
        ok++;
        if (outageStart !== undefined) longest = Math.max(longest, performance.now() - outageStart);
        outageStart = undefined;
      } else {
        outageStart ??= started;
        total += took;
        longest = Math.max(longest, performance.now() - outageStart);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - took)));
    }
    await client.end().catch(() => {});
    return { probes, failed, longestUnavailableMs: longest, totalUnavailableMs: total, availability: probes ? ok / probes : 1, slowMs, errors };
  }

  async stop(): Promise<ProbeReport> {
    this.stopped = true;
    return this.done;
  }
}
