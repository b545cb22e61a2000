import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { GeobenchError, EXIT_INTERRUPTED } from '../../core/errors.ts';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { integerParser, parseScale } from '../options.ts';
import { reportAfterRun } from './report.ts';
import { newRunId } from './run.ts';
import { PROJECT_ROOT, RESULTS_DIR, SQL_DIR } from '../../core/paths.ts';
import { openDatabase } from '../../db/resolve.ts';
import { listScenarios, loadScenario, loadScenarioFile } from '../../scenario/load.ts';
import { planStress } from '../../stress/plan-stress.ts';
import { readStressSection, resolveStressConfig } from '../../stress/config.ts';
import { executeStress } from '../../stress/run-stress.ts';
import { formatStressSummary } from '../../stress/summary.ts';
import { assertWritableDir } from '../../core/output-dir.ts';

const positive = (name: string) => (raw: string): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
  return v;
};
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const variantList = (raw: string): string[] => {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('give at least one variant name.');
  return list;
};

export const DEFAULT_STRESS_CONFIG = path.join(PROJECT_ROOT, 'scenarios', 'stress.json');

interface StressOpts {
  config?: string; scenarioFile?: string; sloP99?: string; slo?: string[]; errorLimit?: string; maxRate?: number; startRate?: number; stepSeconds?: number;
  repeat?: number; connections?: number; target?: string; scale?: number; variants?: string[]; out?: string;
}

export function registerStress(program: Command): void {
  program.command('stress')
    .description('capacity at a latency SLO: an open-model search for the largest arrival rate each variant sustains (p99 under the SLO, errors under their limit, no backlog older than the SLO), interleaved; writes stress.json, charts and report.html (docs/stress.md)')
    .argument('[scenario]', 'scenario name (see `geobench scenarios`); a file needs --scenario-file')
    .option('--scenario-file <path>', 'search the scenario module in this .ts/.js file instead (inside the project, or an absolute path)')
    .option('--config <file>', 'file with the `stress` section (SLO and search limits)', DEFAULT_STRESS_CONFIG)
    .option('--slo-p99 <duration>', 'p99 SLO of the whole mix, e.g. 250ms')
    .option('--slo <type=duration>', 'p99 SLO of one query type, e.g. Q1=50ms (repeatable)', collect)
    .option('--error-limit <pct>', 'largest share of failed operations in a passing step, e.g. 1%')
    .option('--max-rate <ops>', 'highest rate the search offers (ops/s)', positive('max-rate'))
    .option('--start-rate <ops>', 'first rate of the ramp (ops/s; default: a quarter of a 1.5 s closed-loop probe of each variant)', positive('start-rate'))
    .option('--step-seconds <s>', 'measured seconds per step', positive('step-seconds'))
    .option('--repeat <n>', 'repetitions of the steps around the knee', integerParser('repeat', 1, 20))
    .option('--connections <n>', 'client connections the arrivals are sent on', integerParser('connections', 1, 256))
    .option('--target <kpi>', 'capacity change target, e.g. "capacity_change >= 0%"')
    .option('--scale <s>', 'dataset scale (1.0 = 12.4M geometries)', parseScale)
    .option('--variants <list>', 'comma-separated subset of the scenario variants', variantList)
    .option('--out <dir>', 'output folder (default results/<run-id>)')
    .action(async (scenarioName: string | undefined, opts: StressOpts, cmd: Command) => {
      if ((scenarioName === undefined) === (opts.scenarioFile === undefined)) {
        throw new GeobenchError('give either a scenario name or --scenario-file <path>, not both or neither', { hint: `names: ${listScenarios().join(', ')}`, exitCode: 2 });
      }
      const config = resolveStressConfig(readStressSection(path.resolve(opts.config ?? DEFAULT_STRESS_CONFIG)), {
        sloP99: opts.sloP99, slo: opts.slo, errorLimit: opts.errorLimit, maxRate: opts.maxRate, startRate: opts.startRate,
        stepSeconds: opts.stepSeconds, repetitions: opts.repeat, connections: opts.connections, target: opts.target,
      });
      const scenario = scenarioName !== undefined ? await loadScenario(scenarioName) : await loadScenarioFile(opts.scenarioFile!);
      const plan = planStress(scenario, config, { scale: opts.scale, variants: opts.variants });
      const runId = newRunId(`stress-${plan.scenario}`);
      const outDir = path.resolve(opts.out ?? path.join(RESULTS_DIR, runId));
      if (fs.existsSync(path.join(outDir, 'stress.json'))) throw new GeobenchError(`${outDir} already holds a stress result; choose another --out`, { exitCode: 2 });
      assertWritableDir(outDir, '--out');
      const signal = interruptSignal();
      const server = await openDatabase(targetOptions(cmd), say);
      say(`stress ${runId}: scenario ${plan.scenario} (${plan.variants.map((v) => v.name).join(', ')}), SLO p99 < ${config.sloP99Us / 1000} ms, ${config.stepSeconds} s steps from ${config.startRate ?? '¼ of a closed-loop probe'} up to ${config.maxRate} ops/s on ${plan.load.connections} connection(s), on ${server.display}`);
      const { file, result } = await executeStress({
        plan, config, server, runId, outDir, sqlDir: process.env.GEOBENCH_SQL_DIR ?? SQL_DIR,
        log: say, signal, loadWorkers: Math.max(1, os.availableParallelism() - 1),
      });
      console.log(formatStressSummary(result));
      console.log(`\nresults: ${file}`);
      if (signal.aborted) process.exitCode = EXIT_INTERRUPTED;
      else if (result.status !== 'complete' || result.comparisons.some((c) => c.decision === 'fail')) process.exitCode = 1;
      if (!signal.aborted) await reportAfterRun(outDir);
    });
}
