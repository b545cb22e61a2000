/**
 * `geobench stress`: the interleaved capacity search. Each round gives every variant still
 * searching its next step (order alternating per round, so neither variant always runs first), each
 * step a short open-model segment on the shared load engine; then the capacity of each variant,
 * the change against the baseline as a three-outcome KPI, and stress.json.
 */
import path from 'node:path';
import { connect } from '../db/connect.ts';
import type { DbTarget } from '../db/target.ts';
import type { RunPlan } from '../load/plan.ts';
import { prepareVariants, removeWorkloadWrites } from '../load/prepare.ts';
import { SegmentRunner } from '../load/runner.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { capacityChange, describeResult, type CapacityChange } from './capacity.ts';
import type { StressConfig } from './config.ts';
import { probeClosedLoop, startRateFrom } from './probe.ts';
import { nextStep, type Observation, type SearchLimits, type SearchResult } from './search.ts';
import { StepEvidenceRecorder } from './step-evidence.ts';
import { judgeStep } from './step-judgement.ts';
import { runStep, stepSecondsAt } from './step-run.ts';
import { toStepRecord, type StressFile, type StressStepRecord, type StressVariantRecord } from './stress-file.ts';

export const STRESS_FILE = 'stress.json';
/** Safety stop per variant (a search needs 9–15 steps, up to ~20 with noise at the knee; see the unit tests). */
const MAX_STEPS = 24;
/** Start rate when the closed-loop probe measured nothing; the floor of the search is this ÷ growth⁴ (3.1 ops/s). */
const FALLBACK_START_RATE = 50;

export interface ExecuteStressOptions {
  readonly plan: RunPlan;
  readonly config: StressConfig;
  readonly server: DbTarget;
  readonly runId: string;
  readonly outDir: string;
  readonly sqlDir: string;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  readonly loadWorkers: number;
}

const ms = (us: number): string => (Number.isFinite(us) ? `${(us / 1000).toFixed(2)} ms` : 'n/a');

export async function executeStress(o: ExecuteStressOptions): Promise<{ file: string; result: StressFile }> {
  const { plan, config, log } = o;
  const startedAt = new Date();
  const prepared = await prepareVariants(o.server, plan, o.sqlDir, { log, signal: o.signal, workers: o.loadWorkers });
  for (const v of prepared) await removeWorkloadWrites(v.target);
  const runner = new SegmentRunner(plan);
  const onAbort = (): void => runner.stop('interrupted by the user (Ctrl-C)');
  o.signal.addEventListener('abort', onAbort, { once: true });
  const evidenceClient = await connect(o.server, 'geobench-stress-evidence');
  const sampleClient = await connect(o.server, 'geobench-stress-waits');
  const recorder = new StepEvidenceRecorder(evidenceClient, sampleClient);
  const limitsOf = new Map<string, SearchLimits>();
  const probes = new Map<string, number | null>();
  const observations = new Map<string, Observation[]>(prepared.map((v) => [v.name, []]));
  const steps = new Map<string, StressStepRecord[]>(prepared.map((v) => [v.name, []]));
  const results = new Map<string, SearchResult>();
  let stepIndex = 0;
  try {
    for (const variant of prepared) {
      if (runner.stopped) break;
      let startRate = config.startRate;
      const floorRate = Math.min(config.startRate ?? FALLBACK_START_RATE, config.maxRate) / config.growth ** 4;
      if (startRate === null) {
        const segment = { index: stepIndex, repetition: stepIndex + 1, variant: variant.name, orderInRepetition: 0 };
        stepIndex++;
        const closed = await probeClosedLoop(runner, plan, variant, segment);
        await removeWorkloadWrites(variant.target);
        probes.set(variant.name, closed);
        startRate = closed === null ? Math.min(FALLBACK_START_RATE, config.maxRate) : startRateFrom(closed, floorRate, config.maxRate);
        log(`  ${variant.name}: closed-loop probe ${closed === null ? 'measured nothing' : `${closed.toFixed(0)} ops/s`} → ramp from ${startRate} ops/s`);
      }
      limitsOf.set(variant.name, { startRate, maxRate: config.maxRate, growth: config.growth, tolerance: config.tolerance, repetitions: config.repetitions, floorRate, maxSteps: MAX_STEPS });
    }
    for (let round = 0; results.size < prepared.length && !runner.stopped; round++) {
      const order = round % 2 === 0 ? prepared : [...prepared].reverse();
      for (const variant of order) {
        if (results.has(variant.name) || runner.stopped) continue;
        const next = nextStep(observations.get(variant.name)!, limitsOf.get(variant.name)!);
        if (next.kind === 'done') {
          results.set(variant.name, next.result);
          log(`  ${variant.name}: ${describeResult(next.result)}`);
          continue;
        }
        const segment = { index: stepIndex, repetition: stepIndex + 1, variant: variant.name, orderInRepetition: 0 };
        stepIndex++;
        const run = await runStep(runner, plan, variant, segment, next.rate, stepSecondsAt(next.rate, config), recorder);
        if (runner.stopped) break;
        const judgement = judgeStep(run.measurement, config);
        observations.get(variant.name)!.push({ rate: next.rate, outcome: judgement.outcome });
        steps.get(variant.name)!.push(toStepRecord(segment.index, next.phase, run, judgement));
        const m = run.measurement;
        log(`  ${variant.name} @ ${next.rate} ops/s (${next.phase}, ${m.measuredSec.toFixed(1)} s): p50 ${ms(m.latency.p50)}, p99 ${ms(m.latency.p99)}, late ${m.late}, backlog ${m.skipped}, client thread ${m.clientCpu ? `${(100 * m.clientCpu.busiestThreadShare).toFixed(0)}%` : 'n/a'} → ${judgement.outcome}${judgement.reasons.length ? ` (${judgement.reasons.join('; ')})` : ''}`);
        await removeWorkloadWrites(variant.target);
      }
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    await runner.close().catch(() => {});
    await evidenceClient.end().catch(() => {});
    await sampleClient.end().catch(() => {});
  }

  const variants: StressVariantRecord[] = prepared.map((v) => {
    const result = results.get(v.name) ?? null;
    return {
      name: v.name, schema: v.schema, migrateTo: plan.variants.find((x) => x.name === v.name)!.migrateTo,
      result, text: result ? describeResult(result) : 'not finished',
      closedLoopOpsPerSec: probes.get(v.name) ?? null, startRate: limitsOf.get(v.name)?.startRate ?? null, steps: steps.get(v.name)!,
    };
  });
  const base = results.get(plan.baseline);
  const comparisons: CapacityChange[] = base
    ? variants.filter((v) => v.name !== plan.baseline && v.result).map((v) => capacityChange(v.name, v.result!, plan.baseline, base, config.capacityChangeTarget))
    : [];
  const complete = !runner.stopped && results.size === prepared.length;
  const finishedAt = new Date();
  const result: StressFile = {
    schemaVersion: 1,
    tool: 'geobench',
    kind: 'stress',
    runId: o.runId,
    status: complete ? 'complete' : 'incomplete',
    statusReason: complete ? null : runner.stopped ?? 'the search did not finish',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedSec: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    scenario: plan.scenario,
    dataset: plan.dataset,
    target: o.server.display,
    baseline: plan.baseline,
    config: {
      sloP99Us: config.sloP99Us, sloPerTypeUs: config.sloPerTypeUs, stepSeconds: config.stepSeconds, minStepOps: config.minStepOps, maxStepSeconds: config.maxStepSeconds,
      warmupSeconds: config.warmupSeconds, startRate: config.startRate ?? 'auto', maxRate: config.maxRate, growth: config.growth,
      tolerance: config.tolerance, repetitions: config.repetitions, errorLimit: config.errorLimit, connections: plan.load.connections,
      workers: plan.workerConnections.length, harnessCpuLimit: config.harnessCpuLimit, capacityChangeTarget: config.capacityChangeTarget.source,
    },
    workload: plan.workload,
    variants,
    comparisons,
  };
  const file = path.join(o.outDir, STRESS_FILE);
  // JSON has no Infinity: an open end of an interval (and a NaN latency) is written as null.
  writeFileAtomic(file, `${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return { file, result };
}
