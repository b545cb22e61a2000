import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { GeobenchError, EXIT_INTERRUPTED } from '../../core/errors.ts';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { integerParser, parseScale } from '../options.ts';
import { formatRunSummary } from '../run-summary.ts';
import { reportAfterRun } from './report.ts';
import { RESULTS_DIR, SQL_DIR } from '../../core/paths.ts';
import { openDatabase } from '../../db/resolve.ts';
import { listScenarios, loadScenario, loadScenarioFile } from '../../scenario/load.ts';
import { planRun } from '../../load/plan.ts';
import { executeRun } from '../../load/run.ts';
import { assertWritableDir } from '../../core/output-dir.ts';
import { InvalidArgumentError } from 'commander';
import { resolveShardSpec, shardPlan } from '../../shard/shard-spec.ts';
import { sharedRunId, startShard } from '../../shard/start-shard.ts';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

const positive = (name: string) => (raw: string): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
  return v;
};
const nonNegative = (name: string) => (raw: string): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`${name} must be a number >= 0.`);
  return v;
};
const variantList = (raw: string): string[] => {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('give at least one variant name.');
  return list;
};

export const newRunId = (scenario: string, now = new Date()): string => `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${scenario}`;

export function registerRun(program: Command): void {
  program.command('scenarios')
    .description('list the scenarios in scenarios/')
    .action(async () => {
      for (const name of listScenarios()) {
        const s = await loadScenario(name);
        console.log(`${name.padEnd(16)} ${s.description}`);
      }
    });

  program.command('run')
    .description('run a scenario: the same seeded workload against each schema variant, interleaved; writes results/<run-id>/')
    .argument('[scenario]', 'scenario name (see `geobench scenarios`); a file needs --scenario-file')
    .option('--scenario-file <path>', 'run the scenario module in this .ts/.js file instead (inside the project, or an absolute path)')
    .option('--duration <s>', 'measured seconds per segment', positive('duration'))
    .option('--warmup <s>', 'warmup seconds before each measurement', nonNegative('warmup'))
    .option('--connections <n>', 'client connections', integerParser('connections', 1, 256))
    .option('--rate <ops>', 'open model at this offered rate (ops/s) instead of the scenario load model', positive('rate'))
    .option('--repeat <n>', 'repetitions (each measures every variant)', integerParser('repeat', 1, 50))
    .option('--scale <s>', 'dataset scale (1.0 = 12.4M geometries)', parseScale)
    .option('--variants <list>', 'comma-separated subset of the scenario variants', variantList)
    .option('--workers <n>', 'worker threads sending load', integerParser('workers', 1, 64))
    .option('--out <dir>', 'output folder (default results/<run-id>, a shard results/<run-id>-shard<i>)')
    .option('--shard <i/n>', 'run shard i of n (0-based) of a distributed run; see docs/distributed.md')
    .option('--shards <n>', 'run as one of n shards, the index from JOB_COMPLETION_INDEX (also GEOBENCH_SHARDS)', integerParser('shards', 1, 1024))
    .option('--run-id <id>', 'the run id all shards share (also GEOBENCH_RUN_ID); required with shards')
    .option('--barrier-timeout <s>', 'shards: how long a barrier waits for a shard that has not arrived', positive('barrier-timeout'), 120)
    .action(async (scenarioName: string | undefined, opts: { scenarioFile?: string; duration?: number; warmup?: number; connections?: number; rate?: number; repeat?: number; scale?: number; variants?: string[]; workers?: number; out?: string; shard?: string; shards?: number; runId?: string; barrierTimeout: number }, cmd: Command) => {
      if ((scenarioName === undefined) === (opts.scenarioFile === undefined)) {
        throw new GeobenchError('give either a scenario name or --scenario-file <path>, not both or neither', { hint: `names: ${listScenarios().join(', ')}`, exitCode: 2 });
      }
      const scenario = scenarioName !== undefined ? await loadScenario(scenarioName) : await loadScenarioFile(opts.scenarioFile!);
      const plan = planRun(scenario, {
        durationSec: opts.duration, warmupSec: opts.warmup, connections: opts.connections, rate: opts.rate,
        repetitions: opts.repeat, scale: opts.scale, variants: opts.variants, workers: opts.workers,
      });
      const shard = resolveShardSpec(opts, process.env);
      if (shard) shardPlan(plan, shard); // a plan that cannot be split is refused before any work
      const runId = shard ? sharedRunId(opts.runId, process.env) : newRunId(plan.scenario);
      const outDir = path.resolve(opts.out ?? path.join(RESULTS_DIR, shard ? `${runId}-shard${shard.index}` : runId));
      if (fs.existsSync(path.join(outDir, 'result.json'))) throw new GeobenchError(`${outDir} already holds a result; choose another --out`, { exitCode: 2 });
      assertWritableDir(outDir, '--out');
      const signal = interruptSignal();
      const server = await openDatabase(targetOptions(cmd), say);
      say(`run ${runId}: scenario ${plan.scenario}, ${plan.segments.length} segments (${plan.variants.map((v) => v.name).join(' vs ')} × ${plan.repetitions}), ${plan.load.model} load ${plan.load.model === 'open' ? `${plan.load.rate} ops/s on ` : ''}${plan.load.connections} connection(s), ${plan.warmupSec}+${plan.durationSec} s each, on ${server.display}`);
      const sharded = shard
        ? await startShard({ shard, plan, runId, server, geobenchVersion: pkg.version, barrierTimeoutSec: opts.barrierTimeout, outDir, log: say })
        : undefined;
      const { result, file, evidenceMissing } = await executeRun({
        plan: sharded?.plan ?? plan, server, coordination: sharded?.session, runId, outDir, sqlDir: process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, geobenchVersion: pkg.version,
        log: say, progress: say, signal, loadWorkers: Math.max(1, os.availableParallelism() - 1),
      });
      if (shard) {
        // A shard's numbers are a part: the KPIs and the report belong to the merged result.
        console.log(`shard ${shard.index}/${shard.count} of run ${runId}: ${result.status}${result.statusReason ? ` (${result.statusReason})` : ''}; merge with: geobench merge ${runId}`);
        console.log(`shard results: ${file}`);
        process.exitCode = signal.aborted ? EXIT_INTERRUPTED : result.status === 'complete' ? 0 : 1;
        return;
      }
      console.log(formatRunSummary(result));
      console.log(`\nresults: ${file}`);
      if (signal.aborted) process.exitCode = EXIT_INTERRUPTED;
      else if (result.status !== 'complete') process.exitCode = 1;
      else if (result.kpis.some((k) => k.pass === false)) process.exitCode = 1;
      else if (evidenceMissing.length) process.exitCode = 1; // measured in full, but the server failed before the plans were read
      if (signal.aborted) say(`interrupted: no report written; make one with: geobench report ${outDir}`);
      // The server failed (mid-run, or after the measurements): exit now, as for Ctrl-C — the charts
      // take seconds, and a dead server must end geobench within 10 s (docs/faults.md).
      else if (result.status !== 'complete' || evidenceMissing.length) say(`${[result.statusReason ?? '', ...evidenceMissing].filter(Boolean).join('; ')}: no report written; make one with: geobench report ${outDir}`);
      else await reportAfterRun(outDir);
    });
}
