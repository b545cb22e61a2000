/**
 * The stress search's configuration: the service-level objective and the search limits, read from
 * the `stress` section of a data file (scenarios/stress.json), validated with zod, then overridden
 * by flags. Everything here is a target or a limit — nothing measured.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import { parseKpiTarget, type KpiTarget } from '../analysis/kpi.ts';

/** The resolved configuration; latencies in µs, shares as fractions. */
export interface StressConfig {
  readonly sloP99Us: number;
  /** Query type → its own p99 SLO (µs). */
  readonly sloPerTypeUs: Readonly<Record<string, number>>;
  /** Largest share of failed operations (errors + timeouts) a passing step may have. */
  readonly errorLimit: number;
  readonly stepSeconds: number;
  /** A step lasts until about this many arrivals are expected (p99 of fewer is just the maximum). */
  readonly minStepOps: number;
  /** …but never longer than this. */
  readonly maxStepSeconds: number;
  readonly warmupSeconds: number;
  /** First rate of the ramp; null = a quarter of a closed-loop probe of each variant (probe.ts). */
  readonly startRate: number | null;
  readonly maxRate: number;
  /** Ramp factor per step (2 = doubling). */
  readonly growth: number;
  /** The search stops when the bracket's high/low − 1 is at most this. */
  readonly tolerance: number;
  /** Repetitions of each step around the knee. */
  readonly repetitions: number;
  readonly connections: number;
  readonly workers: number;
  /** A generator thread busier than this share of one core means the harness, not the database, limits. */
  readonly harnessCpuLimit: number;
  readonly capacityChangeTarget: KpiTarget;
}

/** Flag overrides; undefined keeps the file's value. */
export interface StressOverrides {
  readonly sloP99?: string | undefined;
  /** `TYPE=duration` entries, e.g. `Q1=50ms`. */
  readonly slo?: readonly string[] | undefined;
  readonly errorLimit?: string | undefined;
  readonly maxRate?: number | undefined;
  readonly startRate?: number | undefined;
  readonly stepSeconds?: number | undefined;
  readonly repetitions?: number | undefined;
  readonly connections?: number | undefined;
  readonly target?: string | undefined;
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)\s*$/;
const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** "250ms" → 250000 (µs). Pure. @throws Error naming the text. */
export function parseDurationUs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 250ms, 1.5s, 800us)`);
  const factor = m[2] === 's' ? 1e6 : m[2] === 'ms' ? 1e3 : 1;
  const us = Number(`${m[1]}`) * factor;
  if (!(us > 0)) throw new Error(`"${text}" must be greater than 0`);
  return us;
}

/** "1%" → 0.01. Pure. */
export function parsePercent(text: string): number {
  const m = PERCENT.exec(text);
  if (!m) throw new Error(`"${text}" is not a percentage (e.g. 1%)`);
  return Number(`${m[1]}e-2`);
}

const duration = z.string().refine((s) => DURATION.test(s) && Number(DURATION.exec(s)![1]) > 0, { message: 'a duration > 0 such as 250ms, 1.5s or 800us' });
const percent = z.string().refine((s) => PERCENT.test(s), { message: 'a percentage such as 1%' });

const StressSectionSchema = z.object({
  sloP99: duration,
  sloPerType: z.record(z.string().regex(/^[A-Z][A-Z0-9]*$/, 'a query type such as Q1'), duration).default({}),
  errorLimit: percent,
  stepSeconds: z.number().min(0.5).max(600),
  minStepOps: z.number().int().min(1).max(1_000_000),
  maxStepSeconds: z.number().min(0.5).max(3600),
  warmupSeconds: z.number().min(0).max(600),
  startRate: z.union([z.number().positive(), z.literal('auto')]),
  maxRate: z.number().positive(),
  growth: z.number().min(1.2).max(10),
  tolerance: percent,
  repetitions: z.number().int().min(1).max(20),
  connections: z.number().int().min(1).max(256),
  workers: z.number().int().min(1).max(64),
  harnessCpuLimit: percent,
  capacityChangeTarget: z.string().refine((s) => { try { return parseKpiTarget(s).metric === 'capacity_change'; } catch { return false; } }, { message: 'a target on capacity_change, e.g. "capacity_change >= 250%"' }),
}).strict();

const FileSchema = z.object({ $comment: z.string().optional(), stress: StressSectionSchema }).passthrough();

type StressSection = z.infer<typeof StressSectionSchema>;

const usage = (message: string): GeobenchError => new GeobenchError(message, { exitCode: 2 });

/** Reads and validates the file's `stress` section; exit 2 naming the file and the field on any problem. */
export function readStressSection(file: string): StressSection {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw usage(`stress configuration ${file}: ${(err as Error).message}`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usage(`stress configuration ${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data.stress;
}

/** The file's section with the flags applied. Pure apart from the error it throws (exit 2). */
export function resolveStressConfig(section: StressSection, o: StressOverrides = {}): StressConfig {
  const flag = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw usage(`${name}: ${(err as Error).message}`);
    }
  };
  const perType: Record<string, number> = {};
  for (const [type, text] of Object.entries(section.sloPerType)) perType[type] = parseDurationUs(text);
  for (const entry of o.slo ?? []) {
    const m = /^([A-Z][A-Z0-9]*)=(.+)$/.exec(entry.trim());
    if (!m) throw usage(`--slo ${entry}: expected TYPE=duration, e.g. Q1=50ms`);
    perType[m[1]!] = flag(`--slo ${entry}`, () => parseDurationUs(m[2]!));
  }
  const config: StressConfig = {
    sloP99Us: o.sloP99 !== undefined ? flag('--slo-p99', () => parseDurationUs(o.sloP99!)) : parseDurationUs(section.sloP99),
    sloPerTypeUs: perType,
    errorLimit: o.errorLimit !== undefined ? flag('--error-limit', () => parsePercent(o.errorLimit!)) : parsePercent(section.errorLimit),
    stepSeconds: o.stepSeconds ?? section.stepSeconds,
    minStepOps: section.minStepOps,
    maxStepSeconds: Math.max(section.maxStepSeconds, o.stepSeconds ?? section.stepSeconds),
    warmupSeconds: section.warmupSeconds,
    startRate: o.startRate ?? (section.startRate === 'auto' ? null : section.startRate),
    maxRate: o.maxRate ?? section.maxRate,
    growth: section.growth,
    tolerance: parsePercent(section.tolerance),
    repetitions: o.repetitions ?? section.repetitions,
    connections: o.connections ?? section.connections,
    workers: section.workers,
    harnessCpuLimit: parsePercent(section.harnessCpuLimit),
    capacityChangeTarget: flag('--target', () => {
      const t = parseKpiTarget(o.target ?? section.capacityChangeTarget);
      if (t.metric !== 'capacity_change') throw new Error('the target must be on capacity_change');
      return t;
    }),
  };
  if (config.startRate !== null && config.startRate > config.maxRate) throw usage(`the start rate ${config.startRate} ops/s is above --max-rate ${config.maxRate} ops/s`);
  return config;
}
