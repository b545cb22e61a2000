import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { PROBE_TYPES, QUERY_TYPES, isKnownQueryType } from '../queries/index.ts';
import { ScenarioSchema, type Scenario } from './schema.ts';
import { parseKpiTarget } from '../analysis/kpi.ts';
import { RUN_METRICS, isRunMetric } from '../analysis/run-metrics.ts';

export const SCENARIO_DIR = path.join(PROJECT_ROOT, 'scenarios');

/** Names of the scenarios shipped in scenarios/ (one module each). */
export function listScenarios(dir = SCENARIO_DIR): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
}

/** Formats zod issues as `path.to.field: message` lines. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** Validates a scenario object; the error names every bad field by its path. */
export function validateScenario(raw: unknown, source: string): Scenario {
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw new GeobenchError(`invalid scenario ${source}:\n${formatIssues(parsed.error)}`, { exitCode: 2 });
  const unknown = Object.keys(parsed.data.workload).filter((q) => !isKnownQueryType(q));
  if (unknown.length > 0) {
    throw new GeobenchError(`invalid scenario ${source}:\n  workload: unknown query type(s) ${unknown.join(', ')} (known: ${[...Object.keys(QUERY_TYPES), ...Object.keys(PROBE_TYPES)].join(', ')})`, { exitCode: 2 });
  }
  const kpiIssues: string[] = [];
  parsed.data.kpis.forEach((k, i) => {
    const metric = parseKpiTarget(k.target).metric;
    if (!isRunMetric(metric)) kpiIssues.push(`  kpis.${i}.target: unknown metric '${metric}' (known: ${RUN_METRICS.join(', ')})`);
    if (!['overall', 'all'].includes(k.scope) && !(k.scope in parsed.data.workload)) kpiIssues.push(`  kpis.${i}.scope: '${k.scope}' is not overall, all or a query type of the workload`);
  });
  if (kpiIssues.length > 0) throw new GeobenchError(`invalid scenario ${source}:\n${kpiIssues.join('\n')}`, { exitCode: 2 });
  return parsed.data;
}

/** Loads scenarios/<name>.ts (or a path to a scenario module) and validates it. */
export async function loadScenario(nameOrPath: string, dir = SCENARIO_DIR): Promise<Scenario> {
  const isPath = nameOrPath.includes('/') || /\.m?ts$/.test(nameOrPath);
  const file = isPath ? path.resolve(nameOrPath) : path.join(dir, `${nameOrPath}.ts`);
  if (!fs.existsSync(file)) {
    throw new GeobenchError(`unknown scenario '${nameOrPath}'`, { hint: `known scenarios: ${listScenarios(dir).join(', ')}`, exitCode: 2 });
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new GeobenchError(`scenario ${path.basename(file)} could not be loaded: ${(err as Error).message}`, { exitCode: 2 });
  }
  if (mod.default === undefined) throw new GeobenchError(`scenario ${path.basename(file)} has no default export`, { exitCode: 2 });
  return validateScenario(mod.default, path.basename(file));
}
