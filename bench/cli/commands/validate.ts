import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { InvalidArgumentError, type Command } from 'commander';
import { GeobenchError } from '../../core/errors.ts';
import { registerSecret } from '../../db/redact.ts';
import { rpcEndpoint } from '../../rpc/load.ts';
import { say, targetOptions } from '../context.ts';
import { interruptSignal } from '../interrupt.ts';
import { integerParser, parseScale, parseSeed } from '../options.ts';
import { RESULTS_DIR, SQL_DIR } from '../../core/paths.ts';
import { openDatabase } from '../../db/resolve.ts';
import { withClient } from '../../db/connect.ts';
import { withSchema, type DbTarget } from '../../db/target.ts';
import { requireCompleteManifest } from '../../dataset/manifest.ts';
import { checksVerdict, formatChecks, VERDICT_WORDS } from '../../validate/checks.ts';
import { DEFAULT_TARGETS_FILE, loadTargets } from '../../validate/targets.ts';
import { VALIDATORS } from '../../validate/registry.ts';
import { VALIDATE_DEFAULTS } from '../../validate/defaults.ts';
import { writeValidation } from '../../validate/report-file.ts';
import { inputsDiffer, inputsKey, readSignoffStart, signoffInputs, SIGNOFF_INPUTS_FILE, writeSignoffStart, type SignoffInputs, type SignoffStart } from '../../validate/signoff-resume.ts';
import { assertWritableDir } from '../../core/output-dir.ts';
import { newRunId } from './run.ts';
import { reportAfterRun } from './report.ts';
import { reportPlanAccuracy, showPlan } from './validate-plan.ts';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

const seconds = (name: string, min: number) => (raw: string): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min) throw new InvalidArgumentError(`${name} must be a number >= ${min}.`);
  return v;
};

export function registerValidate(program: Command): void {
  program.command('validate')
    .description(`measure an optimization against the roadmap's checklist and KPI targets (scenarios/targets.json); exit 0 only when every required target holds, 1 when one fails or is inconclusive (${Object.keys(VALIDATORS).join(', ')})`)
    .argument('<validator>', `one of: ${Object.keys(VALIDATORS).join(', ')}`)
    .option('--scale <s>', 'dataset scale (1.0 = 12.4M geometries)', parseScale, VALIDATE_DEFAULTS.scale)
    .option('--seed <n>', 'dataset seed', parseSeed, VALIDATE_DEFAULTS.seed)
    .option('--duration <s>', 'measured seconds per segment of the load comparison', seconds('duration', 1), VALIDATE_DEFAULTS.durationSec)
    .option('--warmup <s>', 'warmup seconds before each measurement', seconds('warmup', 0), VALIDATE_DEFAULTS.warmupSec)
    .option('--repeat <n>', 'repetitions of the interleaved comparison', integerParser('repeat', 1, 50), VALIDATE_DEFAULTS.repetitions)
    .option('--connections <n>', 'client connections of the load comparison', integerParser('connections', 1, 256), VALIDATE_DEFAULTS.connections)
    .option('--out <dir>', 'output folder (default results/<run-id>)')
    .option('--targets <file>', `the roadmap targets file (JSON, checked before anything runs; default ${path.relative(process.cwd(), DEFAULT_TARGETS_FILE) || DEFAULT_TARGETS_FILE})`)
    .option('--dataset-from <schema>', 'measure on the dataset imported into this geobench schema (`geobench dataset import`) instead of generated data; --scale/--seed then come from its manifest')
    .option('--stress', 'combined (and signoff): also search each variant\'s capacity at the p99 SLO of scenarios/stress.json (docs/stress.md; adds minutes)')
    .option('--resume <dir>', 'signoff: continue the interrupted sign-off in this folder with its original options; validators that finished with the same inputs (dataset, migrations, targets, options) are reused, the rest run again')
    .option('--allow-destructive', 'on an external database: allow dropping and rebuilding geobench schemas')
    .option('--dry-run', 'print the plan — every step with its estimated time and disk at this scale, from measured rates, and the disk check — and stop; reads the server, changes nothing; exit 2 when the run would be refused for lack of disk (a run prints the same plan first)')
    .option('--plan-main-job', 'with --dry-run: put the main job\'s own steps first (scripts/main: generate, verify, migrate up and down on the --schema dataset)')
    .option('--rpc-url <url>', 'opt3: load this RPC endpoint (PostgREST / Supabase base URL serving the same API functions on the same database) instead of starting geobench rpc serve')
    .option('--rpc-api-key-env <name>', 'with --rpc-url: the environment variable holding the API key (sent as apikey and Bearer; never printed)')
    .action(async (name: string, opts: { scale: number; seed: number; datasetFrom?: string; duration: number; warmup: number; repeat: number; connections: number; out?: string; targets?: string; allowDestructive?: boolean; stress?: boolean; resume?: string; rpcUrl?: string; rpcApiKeyEnv?: string; dryRun?: boolean; planMainJob?: boolean }, cmd: Command) => {
      const validator = VALIDATORS[name];
      if (!validator) throw new GeobenchError(`unknown validator '${name}'`, { hint: `known: ${Object.keys(VALIDATORS).join(', ')}`, exitCode: 2 });
      if (opts.planMainJob && !opts.dryRun) throw new GeobenchError('--plan-main-job needs --dry-run', { exitCode: 2 });
      const targets = loadTargets(opts.targets ? path.resolve(opts.targets) : DEFAULT_TARGETS_FILE);
      const rpc = rpcEndpointOption(opts.rpcUrl, opts.rpcApiKeyEnv, targetOptions(cmd).allowRemote);
      const resumed = opts.resume === undefined ? undefined : resumedSignoff(name, opts.resume, opts, cmd);
      if (opts.dryRun) {
        const server = await openDatabase(targetOptions(cmd), say);
        if (opts.datasetFrom) Object.assign(opts, await importedDatasetIdentity(server, opts.datasetFrom));
        await showPlan(server, name, opts, process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, (t) => console.log(t));
        return;
      }
      const runId = resumed?.runId ?? newRunId(`validate-${name}`);
      const outDir = assertWritableDir(path.resolve(opts.resume ?? opts.out ?? path.join(RESULTS_DIR, runId)), opts.resume ? '--resume' : '--out');
      if (name === 'signoff' && !resumed) refuseFinishedSignoff(outDir);
      const server = await openDatabase(targetOptions(cmd), say);
      if (server.kind === 'external' && !opts.allowDestructive) {
        throw new GeobenchError(`validate ${name} rebuilds and migrates geobench schemas on ${server.display}`, { hint: 'pass --allow-destructive to allow it on an external database', exitCode: 2 });
      }
      const imported = opts.datasetFrom ? await importedDatasetIdentity(server, opts.datasetFrom) : undefined;
      if (imported) Object.assign(opts, { scale: imported.scale, seed: imported.seed });
      // The plan first; a disk too small for it stops the run here, before anything is built.
      await showPlan(server, name, opts, process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, say, outDir);
      const startedAt = resumed?.startedAt ?? new Date().toISOString();
      const sqlDir = process.env.GEOBENCH_SQL_DIR ?? SQL_DIR;
      let signoff: { inputsKey: string; resume: boolean } | undefined;
      if (name === 'signoff') {
        const inputs = signoffInputs({ geobenchVersion: pkg.version, scale: opts.scale, seed: opts.seed, importedChecksum: imported?.checksum ?? null, sqlDir, targets, durationSec: opts.duration, warmupSec: opts.warmup, repetitions: opts.repeat, connections: opts.connections, stress: opts.stress === true });
        if (resumed) {
          const changed = inputsDiffer(resumed.inputs, inputs);
          say(`resuming sign-off ${runId} in ${outDir}${changed.length ? ` — changed since it started: ${changed.join(', ')} (every validator runs again)` : ''}`);
        } else {
          writeSignoffStart(outDir, { runId, startedAt, inputs });
        }
        signoff = { inputsKey: inputsKey(inputs), resume: resumed !== undefined };
      }
      say(`validate ${name} (${validator.roadmapName}) at scale ${opts.scale}, seed ${opts.seed}, on ${server.display}`);
      const outcome = await validator.run({
        server, scale: opts.scale, seed: opts.seed, importedFrom: opts.datasetFrom, durationSec: opts.duration, warmupSec: opts.warmup, repetitions: opts.repeat,
        connections: opts.connections, runId, outDir, sqlDir, geobenchVersion: pkg.version, signoff,
        loadWorkers: Math.max(1, os.availableParallelism() - 1), signal: interruptSignal(), log: say, progress: say, rpc, targets, stress: opts.stress === true,
      });
      const file = writeValidation(outDir, validator, runId, startedAt, { scale: opts.scale, seed: opts.seed }, outcome, signoff?.inputsKey);
      const verdict = checksVerdict(outcome.checks);
      console.log(formatChecks(`\n${validator.roadmapName} — ${VERDICT_WORDS[verdict.verdict]}`, outcome.checks));
      for (const reason of verdict.reasons) console.log(`  blocks Production Ready: ${reason}`);
      reportPlanAccuracy(outDir, name, file, say);
      console.log(`\nresults: ${path.join(outDir, 'validation.json')}`);
      if (!file.allTargetsHold) process.exitCode = 1;
      await reportAfterRun(outDir);
    });
}

/** --dataset-from: the imported dataset's scale (rows / 12.4M) and seed, from its manifest. */
async function importedDatasetIdentity(server: DbTarget, schema: string): Promise<{ scale: number; seed: number; checksum: string | null }> {
  const m = await withClient(withSchema(server, schema), (c) => requireCompleteManifest(c, schema, `${server.display} schema ${schema}`));
  if (!m.source) throw new GeobenchError(`--dataset-from ${schema}: that schema holds a generated dataset, not an imported one`, { exitCode: 2 });
  return { scale: m.scale, seed: m.seed, checksum: m.checksum?.hash ?? null };
}

/** The flags a resumed sign-off takes from its start file; one given on the command line must agree. */
const RESUMED_FLAGS = [
  ['scale', 'scale', (i: SignoffInputs) => i.dataset.scale],
  ['seed', 'seed', (i: SignoffInputs) => i.dataset.seed],
  ['duration', 'duration', (i: SignoffInputs) => i.measurement.durationSec],
  ['warmup', 'warmup', (i: SignoffInputs) => i.measurement.warmupSec],
  ['repeat', 'repeat', (i: SignoffInputs) => i.measurement.repetitions],
  ['connections', 'connections', (i: SignoffInputs) => i.measurement.connections],
  ['stress', 'stress', (i: SignoffInputs) => i.measurement.stress],
] as const;

/**
 * --resume <dir>: only for signoff; the run id, start time and options of the interrupted run
 * (from its signoff-inputs.json) replace the defaults, and a flag given again must not contradict them.
 */
function resumedSignoff(name: string, dir: string, opts: Record<string, unknown>, cmd: Command): SignoffStart {
  if (name !== 'signoff') throw new GeobenchError(`--resume works with validate signoff, not ${name}`, { exitCode: 2 });
  if (opts.out !== undefined && path.resolve(String(opts.out)) !== path.resolve(dir)) throw new GeobenchError('--resume writes into the folder it resumes: leave out --out (or give the same folder)', { exitCode: 2 });
  const start = readSignoffStart(path.resolve(dir));
  for (const [flag, key, saved] of RESUMED_FLAGS) {
    const was = saved(start.inputs);
    if (cmd.getOptionValueSource(key) === 'cli' && (opts[key] ?? false) !== was) {
      throw new GeobenchError(`--resume ${dir}: that sign-off ran with --${flag} ${String(was)}, not ${String(opts[key])}`, { exitCode: 2, hint: `leave out --${flag}: a resumed sign-off keeps its options` });
    }
    opts[key] = was;
  }
  return start;
}

/** A new sign-off into a folder that already holds one would mix two runs: resume it or choose another --out. */
function refuseFinishedSignoff(outDir: string): void {
  if (fs.existsSync(path.join(outDir, SIGNOFF_INPUTS_FILE))) {
    throw new GeobenchError(`--out ${outDir} already holds a sign-off`, { exitCode: 2, hint: `continue it with --resume ${outDir}, or choose another --out` });
  }
}

/** --rpc-url / --rpc-api-key-env, checked before anything runs (URL safety rules of runRpcLoad). */
export function rpcEndpointOption(url: string | undefined, apiKeyEnv: string | undefined, allowRemote: boolean | undefined): { url: string; apiKey?: string; allowRemote?: boolean } | undefined {
  if (url === undefined) {
    if (apiKeyEnv !== undefined) throw new GeobenchError('--rpc-api-key-env needs --rpc-url', { exitCode: 2 });
    return undefined;
  }
  rpcEndpoint(url, 'probe', allowRemote ?? false); // throws a clear usage error for a bad or non-local URL
  let apiKey: string | undefined;
  if (apiKeyEnv !== undefined) {
    apiKey = process.env[apiKeyEnv];
    if (!apiKey) throw new GeobenchError(`--rpc-api-key-env ${apiKeyEnv}: that environment variable is not set`, { exitCode: 2 });
    registerSecret(apiKey);
  }
  return { url, ...(apiKey ? { apiKey } : {}), ...(allowRemote ? { allowRemote } : {}) };
}
