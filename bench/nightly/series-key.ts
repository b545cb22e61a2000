/**
 * Which runs may be compared: a series key says "same machine, same dataset, same scenario, same
 * run configuration". Only runs with equal keys are judged against each other; the others are
 * skipped with the reason (the fields that differ). Pure.
 */
import crypto from 'node:crypto';
import type { RunResult } from '../formats/run-result.ts';
export type { SeriesKey } from '../formats/nightly-judgement.ts';
import type { SeriesKey } from '../formats/nightly-judgement.ts';

/** The index key of a series: readable and unique per key. */
export function seriesId(key: SeriesKey): string {
  return `${key.scenario}|scale=${key.scale}|seed=${key.seed}|machine=${key.fingerprint}|config=${key.config}`;
}

const hash = (text: string): string => crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);

/** Configuration facts that change what the numbers mean, in a fixed order. */
export function configFacts(plan: RunResult['scenario']['plan']): Record<string, unknown> {
  return {
    durationSec: plan.durationSec,
    warmupSec: plan.warmupSec,
    repetitions: plan.repetitions,
    load: plan.load,
    workerConnections: plan.workerConnections,
    statementTimeoutMs: plan.statementTimeoutMs,
    paramSeed: plan.paramSeed,
    workload: plan.workload.map((w) => `${w.queryType}:${w.weight}`),
    variants: plan.variants.map((v) => ({ name: v.name, migrateTo: v.migrateTo, routes: Object.entries(v.routes).sort().map(([q, r]) => `${q}=${r}`) })),
  };
}

function configText(plan: RunResult['scenario']['plan']): string {
  const load = plan.load.model === 'open' ? `open ${plan.load.rate} ops/s, ${plan.load.connections} conn` : `closed, ${plan.load.connections} conn`;
  return `${plan.warmupSec}+${plan.durationSec} s × ${plan.repetitions} rep, ${load}, variants ${plan.variants.map((v) => `${v.name}(${v.migrateTo})`).join(' ')}`;
}

/** The series key of a load run's result. */
export function seriesKeyOf(result: RunResult, scenario = result.scenario.name): SeriesKey {
  const plan = result.scenario.plan;
  return {
    fingerprint: result.metadata?.machine.fingerprint ?? 'unknown',
    scenario,
    scale: result.dataset.scale,
    seed: result.dataset.seed,
    config: hash(JSON.stringify(configFacts(plan))),
    configText: configText(plan),
  };
}

/** The series key of a validator entry (no load run of its own, or one we do not key on). */
export function validatorKey(name: string, fingerprint: string, scale: number, seed: number, settings: Record<string, unknown>): SeriesKey {
  const facts = Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
  return {
    fingerprint,
    scenario: `validate:${name}`,
    scale,
    seed,
    config: hash(JSON.stringify(facts)),
    configText: Object.entries(facts).map(([k, v]) => `${k} ${String(v)}`).join(', '),
  };
}

/** Why two keys differ, one phrase per differing field; empty when comparable. */
export function keyDifferences(current: SeriesKey, other: SeriesKey): string[] {
  const out: string[] = [];
  if (other.scenario !== current.scenario) out.push(`scenario ${other.scenario} ≠ ${current.scenario}`);
  if (other.fingerprint !== current.fingerprint) out.push(`machine fingerprint ${other.fingerprint} ≠ ${current.fingerprint}`);
  if (other.scale !== current.scale) out.push(`scale ${other.scale} ≠ ${current.scale}`);
  if (other.seed !== current.seed) out.push(`seed ${other.seed} ≠ ${current.seed}`);
  if (other.config !== current.config) out.push(`run configuration differs (${other.configText} ≠ ${current.configText})`);
  return out;
}
