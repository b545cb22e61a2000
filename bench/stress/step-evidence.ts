/**
 * What a stress step records besides latency, so a reader can see what saturated first: the load
 * generator's CPU per thread (is the harness the limit?), the server's CPU, the wait events of the
 * load sessions sampled from pg_stat_activity, and the pg_cron jobs of the schema that fired.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { clockTicksPerSecond, diffServerCpu, parseProcStat, snapshotServerCpu } from '../evidence/server-cpu.ts';
import { hasPgCron, schemaJobRuns, type CronRun } from '../evidence/cron-jobs.ts';

/** CPU ticks of each thread of this process (main + load worker threads), from /proc/self/task. */
export function snapshotThreadTicks(): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      try {
        const s = parseProcStat(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
        out.set(s.pid, s.utime + s.stime);
      } catch {
        // a thread that ended between readdir and read
      }
    }
    return out;
  } catch {
    return null;
  }
}

/** Busiest thread's share of one core and the whole process's cores over `wallSec`. Pure. */
export function threadCpuShares(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>, wallSec: number, ticksPerSec: number): { processCores: number; busiestThreadShare: number } {
  let total = 0;
  let busiest = 0;
  for (const [tid, ticks] of after) {
    const d = ticks - (before.get(tid) ?? 0);
    total += d;
    busiest = Math.max(busiest, d);
  }
  const perSec = (t: number): number => (wallSec > 0 ? t / ticksPerSec / wallSec : 0);
  return { processCores: perSec(total), busiestThreadShare: perSec(busiest) };
}

/** pg_stat_activity samples of the active load sessions: "type:event" (CPU when no wait) → count. */
export class WaitSampler {
  private readonly counts: Record<string, number> = {};
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly client: pg.Client, private readonly everyMs = 100) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.client.query<{ w: string; n: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*) AS n
           FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' GROUP BY 1`, ['geobench-load']);
      this.samples++;
      for (const r of rows) this.counts[r.w] = (this.counts[r.w] ?? 0) + Number(r.n);
    } catch {
      // evidence is best effort: a failed sample is simply not counted
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<{ samples: number; counts: Record<string, number> }> {
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    return { samples: this.samples, counts: { ...this.counts } };
  }
}

export interface StepEvidence {
  readonly clientCpu: { processCores: number; busiestThreadShare: number } | null;
  readonly serverCpuCores: number | null;
  readonly waits: { samples: number; counts: Record<string, number> };
  readonly cronRuns: readonly CronRun[] | null;
}

/** Brackets one step: `begin` when the measurement starts, `end` when it is over. */
export class StepEvidenceRecorder {
  private cron: boolean | undefined;
  private startedAt = 0;
  private startedIso = '';
  private threads: Map<number, number> | null = null;
  private server: Awaited<ReturnType<typeof snapshotServerCpu>> | null = null;
  private waits: WaitSampler | undefined;

  constructor(private readonly client: pg.Client, private readonly sampleClient: pg.Client) {}

  async begin(): Promise<void> {
    this.cron ??= await hasPgCron(this.client).catch(() => false);
    this.startedAt = performance.now();
    this.startedIso = new Date().toISOString();
    this.threads = snapshotThreadTicks();
    this.server = await snapshotServerCpu(this.client).catch(() => null);
    this.waits = new WaitSampler(this.sampleClient);
    this.waits.start();
  }

  async end(schema: string): Promise<StepEvidence> {
    const wallSec = (performance.now() - this.startedAt) / 1000;
    const threadsAfter = snapshotThreadTicks();
    const waits = this.waits ? await this.waits.stop() : { samples: 0, counts: {} };
    const serverAfter = this.server ? await snapshotServerCpu(this.client).catch(() => null) : null;
    const serverDelta = this.server && serverAfter ? diffServerCpu(this.server, serverAfter) : null;
    const cronRuns = this.cron ? await schemaJobRuns(this.client, schema, this.startedIso).catch(() => null) : null;
    return {
      clientCpu: this.threads && threadsAfter ? threadCpuShares(this.threads, threadsAfter, wallSec, clockTicksPerSecond()) : null,
      serverCpuCores: serverDelta && serverDelta.available && wallSec > 0 ? serverDelta.seconds / wallSec : null,
      waits,
      cronRuns,
    };
  }
}
