/**
 * The roadmap's targets as configuration: one JSON file (default scenarios/targets.json, another
 * with `--targets <file>`), checked with zod before anything runs. A user changes a target by
 * editing the file, never the code. Every error names the key and its line in the file (exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseKpiTarget } from '../analysis/kpi.ts';
import { GeobenchError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';

export const DEFAULT_TARGETS_FILE = path.join(PROJECT_ROOT, 'scenarios', 'targets.json');

/**
 * The keys validators look up, and the metric each target must name (null: a roadmap claim that is
 * text, not KPI grammar). A key outside this list is a typo or a KPI no validator measures.
 */
export const TARGET_METRICS: Readonly<Record<string, string | null>> = {
  'opt2.integrity': 'integrity_share',
  'opt2.storage_reduction': 'storage_reduction',
  'opt2.index_reduction': 'index_reduction',
  'opt2.query_improvement': 'query_improvement_pct',
  'opt2.p99': 'p99',
  'opt2.downtime': 'downtime_time',
  'opt2.simd': null,
  'opt3.materialized_views': 'materialized_views',
  'opt3.view_indexes': 'view_indexes',
  'opt3.index_coverage': 'index_coverage_share',
  'opt3.rpc_correct': 'rpc_correct_share',
  'opt3.rpc_latency_improvement': 'query_improvement_pct',
  'opt3.rpc_throughput': 'throughput',
  'opt3.rpc_p99': 'p99',
  'opt3.rpc_errors': 'rpc_error_rate',
  'opt3.cache_hit': 'cache_hit_share',
  'opt3.view_availability': 'view_availability_share',
  'opt45.future_partitions': 'future_partitions',
  'opt45.maintenance_tasks': 'maintenance_tasks_succeeded',
  'opt45.pruning': 'pruning_share',
  'opt45.restart_survival': 'restart_survival_share',
  'opt45.uptime': 'uptime_share',
  'opt45.refresh_strategies': 'views_with_refresh_strategy',
  'opt45.trigger_cost': 'trigger_cost_time',
  'opt45.refresh_jobs': 'refresh_jobs_succeeded',
  'opt45.refresh_overhead': 'refresh_overhead_share',
  'opt45.live_staleness': 'staleness_time',
  'opt45.scheduled_staleness': 'scheduled_staleness_time',
  'combined.overhead_reduction': 'overhead_reduction',
  'combined.query_improvement': 'query_improvement_pct',
  'combined.stability': 'stability_share',
};

/** One configured target. */
export interface TargetSpec {
  readonly key: string;
  /** KPI grammar (`storage_reduction > 35%`), or the roadmap's claim as text for a `claim` entry. */
  readonly target: string;
  /** True when `target` is free text (a claim PostgreSQL cannot show), not KPI grammar. */
  readonly isClaim: boolean;
  /** A required KPI that is not measured blocks Production Ready. */
  readonly required: boolean;
  readonly roadmap: string | null;
}

/** The loaded targets, looked up by key. */
export interface Targets {
  readonly file: string;
  get(key: string): TargetSpec;
  all(): readonly TargetSpec[];
}

const Entry = z.strictObject({
  target: z.string().optional(),
  claim: z.string().optional(),
  required: z.boolean().default(true),
  roadmap: z.string().optional(),
});

/** 1-based line of `"key":` in the JSON text (the first occurrence), or of a character offset. */
function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? 1 : lineOfOffset(text, at);
}
const lineOfOffset = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** The line of a JSON.parse error: V8 gives a position, or a quoted stretch of text around it. */
function errorLine(text: string, message: string): number | null {
  const pos = /position (\d+)/.exec(message);
  if (pos) return lineOfOffset(text, Number(pos[1]));
  const around = /\.\.\."(.*)"\.\.\./.exec(message)?.[1];
  const at = around ? text.indexOf(around) : -1;
  return at < 0 ? null : lineOfOffset(text, at);
}

const usage = (message: string): GeobenchError => new GeobenchError(message, { exitCode: 2, hint: `targets are described in docs/validators.md; the default file is ${path.relative(process.cwd(), DEFAULT_TARGETS_FILE) || DEFAULT_TARGETS_FILE}` });

/** Parses and checks a targets file's text. Pure apart from the error type. @throws GeobenchError (exit 2). */
export function parseTargets(text: string, file: string): Targets {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const line = errorLine(text, (err as Error).message);
    throw usage(`${file}${line ? `:${line}` : ''}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage(`${file}:1: expected an object of "<validator>.<kpi>": { "target": … } entries`);
  const specs = new Map<string, TargetSpec>();
  for (const [key, value] of Object.entries(raw)) {
    const where = `${file}:${lineOfKey(text, key)}: "${key}"`;
    if (!(key in TARGET_METRICS)) throw usage(`${where}: unknown KPI (known: ${Object.keys(TARGET_METRICS).join(', ')})`);
    const parsed = Entry.safeParse(value);
    if (!parsed.success) throw usage(`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')}`);
    const e = parsed.data;
    const metric = TARGET_METRICS[key]!;
    if (metric === null) {
      if (e.claim === undefined || e.target !== undefined) throw usage(`${where}: a roadmap claim PostgreSQL cannot measure takes "claim" (text), not "target"`);
      specs.set(key, { key, target: e.claim, isClaim: true, required: e.required, roadmap: e.roadmap ?? null });
      continue;
    }
    if (e.target === undefined || e.claim !== undefined) throw usage(`${where}: needs "target" (e.g. "${metric} > 35%"), not "claim"`);
    let t;
    try {
      t = parseKpiTarget(e.target);
    } catch (err) {
      throw usage(`${where}: ${(err as Error).message}`);
    }
    if (t.metric !== metric) throw usage(`${where}: the target's metric is "${t.metric}", this KPI measures "${metric}"`);
    specs.set(key, { key, target: e.target, isClaim: false, required: e.required, roadmap: e.roadmap ?? null });
  }
  const missing = Object.keys(TARGET_METRICS).filter((k) => !specs.has(k));
  if (missing.length) throw usage(`${file}: missing ${missing.map((k) => `"${k}"`).join(', ')} (every KPI a validator judges needs its target)`);
  return {
    file,
    get(key: string): TargetSpec {
      const s = specs.get(key);
      if (!s) throw new Error(`no target "${key}" in ${file}`);
      return s;
    },
    all: () => [...specs.values()],
  };
}

/** Reads and checks a targets file (default scenarios/targets.json). */
export function loadTargets(file: string = DEFAULT_TARGETS_FILE): Targets {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw usage(`cannot read targets file ${file}: ${(err as Error).message}`);
  }
  return parseTargets(text, file);
}
