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
import { assertWritableDir } from '../../core/output-dir.ts';
import { newRunId } from './run.ts';
import { reportAfterRun } from './report.ts';
import { showPlan } from './validate-plan.ts';

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
    .option('--allow-destructive', 'on an external database: allow dropping and rebuilding geobench schemas')
    .option('--dry-run', 'print the plan — every step with its estimated time and disk at this scale, from measured rates, and the disk check — and stop; reads the server, changes nothing; exit 2 when the run would be refused for lack of disk (a run prints the same plan first)')
    .option('--plan-main-job', 'with --dry-run: put the main job\'s own steps first (scripts/main: generate, verify, migrate up and down on the --schema dataset)')
    .option('--rpc-url <url>', 'opt3: load this RPC endpoint (PostgREST / Supabase base URL serving the same API functions on the same database) instead of starting geobench rpc serve')
    .option('--rpc-api-key-env <name>', 'with --rpc-url: the environment variable holding the API key (sent as apikey and Bearer; never printed)')
    .action(async (name: string, opts: { scale: number; seed: number; datasetFrom?: string; duration: number; warmup: number; repeat: number; connections: number; out?: string; targets?: string; allowDestructive?: boolean; stress?: boolean; rpcUrl?: string; rpcApiKeyEnv?: string; dryRun?: boolean; planMainJob?: boolean }, cmd: Command) => {
      const validator = VALIDATORS[name];
      if (!validator) throw new GeobenchError(`unknown validator '${name}'`, { hint: `known: ${Object.keys(VALIDATORS).join(', ')}`, exitCode: 2 });
      if (opts.planMainJob && !opts.dryRun) throw new GeobenchError('--plan-main-job needs --dry-run', { exitCode: 2 });
      const targets = loadTargets(opts.targets ? path.resolve(opts.targets) : DEFAULT_TARGETS_FILE);
      const rpc = rpcEndpointOption(opts.rpcUrl, opts.rpcApiKeyEnv, targetOptions(cmd).allowRemote);
      if (opts.dryRun) {
        const server = await openDatabase(targetOptions(cmd), say);
        if (opts.datasetFrom) Object.assign(opts, await importedDatasetIdentity(server, opts.datasetFrom));
        await showPlan(server, name, opts, process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, (t) => console.log(t));
        return;
      }
      const runId = newRunId(`validate-${name}`);
      const outDir = assertWritableDir(path.resolve(opts.out ?? path.join(RESULTS_DIR, runId)), '--out');
      const server = await openDatabase(targetOptions(cmd), say);
      if (server.kind === 'external' && !opts.allowDestructive) {
        throw new GeobenchError(`validate ${name} rebuilds and migrates geobench schemas on ${server.display}`, { hint: 'pass --allow-destructive to allow it on an external database', exitCode: 2 });
      }
      if (opts.datasetFrom) Object.assign(opts, await importedDatasetIdentity(server, opts.datasetFrom));
      // The plan first; a disk too small for it stops the run here, before anything is built.
      await showPlan(server, name, opts, process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, say, outDir);
      const startedAt = new Date().toISOString();
      say(`validate ${name} (${validator.roadmapName}) at scale ${opts.scale}, seed ${opts.seed}, on ${server.display}`);
      const outcome = await validator.run({
        server, scale: opts.scale, seed: opts.seed, importedFrom: opts.datasetFrom, durationSec: opts.duration, warmupSec: opts.warmup, repetitions: opts.repeat,
        connections: opts.connections, runId, outDir, sqlDir: process.env.GEOBENCH_SQL_DIR ?? SQL_DIR, geobenchVersion: pkg.version,
        loadWorkers: Math.max(1, os.availableParallelism() - 1), signal: interruptSignal(), log: say, progress: say, rpc, targets, stress: opts.stress === true,
      });
      const file = writeValidation(outDir, validator, runId, startedAt, { scale: opts.scale, seed: opts.seed }, outcome);
      const verdict = checksVerdict(outcome.checks);
      console.log(formatChecks(`\n${validator.roadmapName} — ${VERDICT_WORDS[verdict.verdict]}`, outcome.checks));
      for (const reason of verdict.reasons) console.log(`  blocks Production Ready: ${reason}`);
      console.log(`\nresults: ${path.join(outDir, 'validation.json')}`);
      if (!file.allTargetsHold) process.exitCode = 1;
      await reportAfterRun(outDir);
    });
}

/** --dataset-from: the imported dataset's scale (rows / 12.4M) and seed, from its manifest. */
async function importedDatasetIdentity(server: DbTarget, schema: string): Promise<{ scale: number; seed: number }> {
  const m = await withClient(withSchema(server, schema), (c) => requireCompleteManifest(c, schema, `${server.display} schema ${schema}`));
  if (!m.source) throw new GeobenchError(`--dataset-from ${schema}: that schema holds a generated dataset, not an imported one`, { exitCode: 2 });
  return { scale: m.scale, seed: m.seed };
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
