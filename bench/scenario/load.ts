import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { GeobenchError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { PROBE_TYPES, QUERY_TYPES, isKnownQueryType, registerQueryFiles } from '../queries/index.ts';
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
export function validateScenario(raw: unknown, source: string, baseDir = process.cwd()): Scenario {
  registerScenarioQueryFiles(raw, source, baseDir);
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

const SCENARIO_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MODULE_FILE = /\.(m?ts|m?js)$/;

/**
 * Loads a registered scenario by name (scenarios/<name>.ts, as `geobench scenarios` lists them).
 * A name is never a path: anything else is a usage error naming the known scenarios.
 */
export async function loadScenario(name: string, dir = SCENARIO_DIR): Promise<Scenario> {
  const known = listScenarios(dir);
  if (!SCENARIO_NAME.test(name) || !known.includes(name)) {
    throw new GeobenchError(`unknown scenario '${name.slice(0, 200)}' (names: ${known.join(', ')}; use --scenario-file for a file)`, { exitCode: 2 });
  }
  return importScenario(path.join(dir, `${name}.ts`));
}

/**
 * Loads a scenario module given explicitly (--scenario-file): a .ts/.js file inside the project,
 * or anywhere when given as an absolute path (the user named it on purpose).
 */
export async function loadScenarioFile(file: string, root = PROJECT_ROOT): Promise<Scenario> {
  const resolved = path.resolve(file);
  if (!MODULE_FILE.test(resolved)) throw new GeobenchError(`--scenario-file ${file}: a scenario file is a .ts or .js module`, { exitCode: 2 });
  const inside = path.relative(root, resolved);
  if (!path.isAbsolute(file) && (inside.startsWith('..') || path.isAbsolute(inside))) {
    throw new GeobenchError(`--scenario-file ${file} is outside the project (${root})`, { hint: 'give a file outside the project as an absolute path', exitCode: 2 });
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new GeobenchError(`--scenario-file ${file}: no such file`, { exitCode: 2 });
  }
  if (!stat.isFile()) throw new GeobenchError(`--scenario-file ${file} is not a regular file`, { exitCode: 2 });
  return importScenario(resolved);
}

async function importScenario(file: string): Promise<Scenario> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new GeobenchError(`scenario ${path.basename(file)} could not be loaded: ${(err as Error).message}`, { exitCode: 2 });
  }
  if (mod.default === undefined) throw new GeobenchError(`scenario ${path.basename(file)} has no default export`, { exitCode: 2 });
  return validateScenario(mod.default, path.basename(file), path.dirname(file));
}

/**
 * A scenario's `queryFiles` (name → .sql file, relative to the scenario file) are parsed and
 * registered before the scenario is validated, so its workload and routes may name them.
 */
function registerScenarioQueryFiles(raw: unknown, source: string, baseDir: string): void {
  const files = (raw as { queryFiles?: unknown } | null)?.queryFiles;
  if (files === undefined) return;
  if (typeof files !== 'object' || files === null || Object.values(files).some((f) => typeof f !== 'string')) {
    throw new GeobenchError(`invalid scenario ${source}:\n  queryFiles: expected { name: 'file.sql', … }`, { exitCode: 2 });
  }
  registerQueryFiles(Object.fromEntries(Object.entries(files as Record<string, string>).map(([name, f]) => [name, path.resolve(baseDir, f)])));
}
