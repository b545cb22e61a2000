import { z } from 'zod';
import { parseKpiTarget } from '../analysis/kpi.ts';
import { queryRoute } from '../queries/index.ts';

/**
 * What a scenario file declares, validated on load. Defaults live here and only here; the
 * planner turns a validated scenario plus CLI overrides into a RunPlan.
 */
const name = z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, 'lower-case letters, digits, _ or -, starting with a letter');

export const VariantSchema = z.strictObject({
  /** Short name used in results, e.g. `baseline`, `opt1`. Its data lives in schema geobench_<name>. */
  name: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, 'lower-case letters, digits or _, starting with a letter'),
  /** Migration target: `baseline`, `OPT1`, … (see `geobench migrate`). */
  migrateTo: z.string().min(1),
  /**
   * The schema holding this variant's data, when not geobench_<name>: `geobench validate` keeps
   * the sign-off's states in shared schemas (bench/validate/state-schemas.ts).
   */
  schema: z.string().regex(/^geobench_[a-z0-9_]{1,40}$/, 'one of geobench\'s own schemas (geobench_<name>)').optional(),
  description: z.string().optional(),
  /**
   * Query type → route: answer that type with the route's SQL (a materialized view, an RPC
   * function; see `routes` in bench/queries/) instead of the base query. Same parameters.
   */
  routes: z.record(z.string(), z.string()).optional(),
});

export const ClosedLoadSchema = z.strictObject({
  model: z.literal('closed'),
  /** Client connections; each sends its next query when the last one returned. */
  connections: z.number().int().min(1).max(256),
});

/** Defaults of the open model, used by the scenario schema and by `--rate` on a closed scenario (load/plan.ts). */
export const OPEN_LOAD_DEFAULTS = { arrival: 'poisson', lateAfterMs: 10 } as const;

export const OpenLoadSchema = z.strictObject({
  model: z.literal('open'),
  /** Offered load in operations per second, whatever the server does. */
  rate: z.number().positive().max(1_000_000),
  arrival: z.enum(['poisson', 'uniform']).default(OPEN_LOAD_DEFAULTS.arrival),
  /** Connections available to send on; an arrival that finds none free waits (and is charged for it). */
  connections: z.number().int().min(1).max(256),
  /** An operation sent more than this after its intended time counts as late (schedule lag). */
  lateAfterMs: z.number().nonnegative().default(OPEN_LOAD_DEFAULTS.lateAfterMs),
  /** pgbench --latency-limit: an operation already this far behind when its turn comes is skipped (dropped). */
  skipAfterMs: z.number().positive().optional(),
});

export const KpiSchema = z.strictObject({
  /** `overall` (geometric mean over query types, or all operations for absolute metrics), `all`, or a query type (Q1…). */
  scope: z.string().default('overall'),
  /** Which variant's measurement is judged (default: the last variant, the optimized one). */
  variant: z.string().optional(),
  /** A target string, e.g. `p99 < 350ms`, `throughput > 4500`, `p99_change < -20%`, `error_rate < 0.5%`. */
  target: z.string().superRefine((text, ctx) => {
    try {
      parseKpiTarget(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
  /** Optional label for reports. */
  label: z.string().optional(),
});

export const ScenarioSchema = z
  .strictObject({
    name,
    description: z.string().min(1),
    dataset: z.strictObject({
      /** For an imported dataset: its rows / 12,400,000, as `geobench dataset info` prints (prepare checks it). */
      scale: z.number().positive().max(10),
      seed: z.number().int().nonnegative(),
      /** A schema filled by `geobench dataset import`: every variant gets a copy of that data instead of generated rows. */
      import: z.string().regex(/^geobench(_[a-z0-9_]{1,40})?$/, 'one of geobench\'s own schemas (geobench or geobench_<name>)').optional(),
    }),
    variants: z.array(VariantSchema).min(1).max(8),
    /** The variant the others are compared with (default: the first). */
    baseline: z.string().optional(),
    /** Your own query types: name → `.sql` file (relative to the scenario file; header format in docs/load-engine.md). */
    queryFiles: z.record(z.string().regex(/^[A-Z][A-Z0-9_]{0,15}$/, 'upper-case letters, digits or _, starting with a letter'), z.string().regex(/\.sql$/, 'a .sql file')).optional(),
    /** Query type → relative weight (Q1…Q8, W1, or a name from queryFiles). */
    workload: z.record(z.string(), z.number().positive()).refine((w) => Object.keys(w).length > 0, 'at least one query type'),
    load: z.discriminatedUnion('model', [ClosedLoadSchema, OpenLoadSchema]),
    warmupSec: z.number().nonnegative().max(3600).default(5),
    durationSec: z.number().positive().max(86_400),
    repetitions: z.number().int().min(1).max(50).default(1),
    statementTimeoutMs: z.number().int().positive().max(3_600_000).default(30_000),
    /** Worker threads (default: min(connections, cores)). */
    workers: z.number().int().min(1).max(64).optional(),
    /** Seed of the parameter stream (default: the dataset seed). */
    paramSeed: z.number().int().nonnegative().optional(),
    kpis: z.array(KpiSchema).default([]),
  })
  .superRefine((s, ctx) => {
    const names = s.variants.map((v) => v.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `duplicate variant name '${n}'` });
    });
    const schemas = s.variants.map((v) => v.schema ?? `geobench_${v.name}`);
    schemas.forEach((sc, i) => {
      if (schemas.indexOf(sc) !== i) ctx.addIssue({ code: 'custom', path: ['variants', i, 'schema'], message: `variants ${s.variants[schemas.indexOf(sc)]!.name} and ${s.variants[i]!.name} would share schema ${sc}` });
    });
    if (s.baseline !== undefined && !names.includes(s.baseline)) {
      ctx.addIssue({ code: 'custom', path: ['baseline'], message: `'${s.baseline}' is not one of the variants (${names.join(', ')})` });
    }
    s.variants.forEach((v, i) => {
      for (const [type, route] of Object.entries(v.routes ?? {})) {
        if (!Object.hasOwn(s.workload, type)) {
          ctx.addIssue({ code: 'custom', path: ['variants', i, 'routes', type], message: `${type} is not in the workload (${Object.keys(s.workload).join(', ')})` });
          continue;
        }
        try {
          queryRoute(type, route);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['variants', i, 'routes', type], message: (err as Error).message });
        }
      }
    });
    s.kpis.forEach((k, i) => {
      if (k.variant !== undefined && !names.includes(k.variant)) ctx.addIssue({ code: 'custom', path: ['kpis', i, 'variant'], message: `'${k.variant}' is not one of the variants` });
    });
  });

/** A scenario as written in a scenario file (defaults may be omitted). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with defaults filled in. */
export type Scenario = z.output<typeof ScenarioSchema>;

/** Identity helper for scenario files: gives them type checking and editor completion. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
