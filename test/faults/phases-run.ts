/**
 * The phases inside `geobench run` (smoke scenario, baseline vs opt1, RUN_SCALE) besides the
 * measurement itself (phases.ts): variant prepare, warmup, evidence snapshot, EXPLAIN, and the
 * report drawn afterwards by `geobench report`. Each is reached by the stderr line that marks its
 * start. After the fault: the variants' ledgers and manifests are consistent, a result written by
 * the faulted run is marked, and a 2 s run (or the report) works again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { withClient } from '../../bench/db/connect.ts';
import { readResult } from '../../bench/result-file/result-file.ts';
import { runCli } from '../helpers/cli.ts';
import { clusterUp, lastOutDir, must, newOut, RUN_SCALE, type Phase } from './phases.ts';
import { firstProblem, ledgerConsistent, manifestConsistent, partialResultMarked } from './state-checks.ts';

const VARIANT_SCHEMAS = ['geobench_baseline', 'geobench_opt1'];
const runArgs = (warmup: string, out: string): string[] => ['run', 'smoke', '--scale', RUN_SCALE, '--duration', '2', '--warmup', warmup, '--repeat', '1', '--out', out];
const SIGNALS_130 = { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 } as const;

/** Both variants' ledgers and manifests consistent, the faulted run's result (if any) marked. */
const variantsConsistent = (expect: Parameters<typeof partialResultMarked>[1]) => (): Promise<string | null> => firstProblem(
  () => partialResultMarked(lastOutDir(), expect),
  ...VARIANT_SCHEMAS.flatMap((s) => [() => ledgerConsistent(s), () => manifestConsistent(s)]),
);

/** A 2 s run writes a complete result, and afterwards both variants verify. */
async function completeRun(): Promise<string | null> {
  const out = newOut();
  const r = await runCli(runArgs('0', out));
  if (!fs.existsSync(path.join(out, 'result.json'))) return `no result after the re-run (exit ${r.code}): ${r.stderr.slice(-400)}`;
  const result = readResult(out);
  if (result.status !== 'complete') return `re-run ${result.status}: ${result.statusReason}`;
  return firstProblem(...VARIANT_SCHEMAS.map((s) => () => manifestConsistent(s)));
}

const rerunRun = (expect: Parameters<typeof partialResultMarked>[1]) => async (): Promise<string | null> => (await variantsConsistent(expect)()) ?? completeRun();

let reportSource: string | undefined; // a complete run folder for the report phase, made once

export const RUN_PHASES: readonly Phase[] = [
  {
    name: 'variant prepare',
    // The variants' schemas dropped, so the run must load and migrate them again.
    prepare: async () => {
      await clusterUp();
      await withClient(await clusterUp(), async (c) => {
        for (const s of VARIANT_SCHEMAS) await c.query(`DROP SCHEMA IF EXISTS ${s}_api CASCADE; DROP SCHEMA IF EXISTS ${s} CASCADE`);
      });
    },
    args: () => runArgs('0', newOut()),
    trigger: /variant opt1: (loading the dataset|migrating)/,
    expected: SIGNALS_130,
    rerun: rerunRun('incomplete if any'),
  },
  {
    name: 'warmup',
    prepare: async () => void (await clusterUp()),
    args: () => runArgs('5', newOut()),
    trigger: /warmup\s+1 s/,
    expected: SIGNALS_130,
    rerun: rerunRun('incomplete'),
  },
  {
    name: 'evidence snapshot',
    prepare: async () => void (await clusterUp()),
    args: () => runArgs('0', newOut()),
    // The first segment's statements/counters read after its measurement (line from load/run.ts).
    trigger: /reading the server evidence/,
    expected: SIGNALS_130,
    rerun: rerunRun('incomplete'),
  },
  {
    name: 'EXPLAIN',
    prepare: async () => void (await clusterUp()),
    args: () => runArgs('0', newOut()),
    trigger: /EXPLAIN ANALYZE/,
    // Every segment is measured by then: the result is complete; a signal still ends with 130 (no
    // report), a killed server leaves the plans and sizes missing and says so in a warning (exit 1).
    expected: SIGNALS_130,
    rerun: async () => {
      const out = lastOutDir();
      if (!fs.existsSync(path.join(out, 'result.json'))) return `no result.json in ${out}`;
      const result = readResult(out);
      const planned = result.variants.filter((v) => Object.keys(v.plans).length > 0).length;
      if (planned < result.variants.length && !result.warnings.some((w) => /plans/.test(w))) return `plans of ${result.variants.length - planned} variant(s) missing without a warning`;
      return rerunRun('any')();
    },
  },
  {
    name: 'report',
    prepare: async () => {
      await clusterUp();
      if (reportSource && fs.existsSync(path.join(reportSource, 'result.json'))) return;
      reportSource = newOut();
      await must(runArgs('0', reportSource));
    },
    args: () => ['report', reportSource!],
    trigger: /drawing \d+ charts/,
    // `report` reads files only: it has no interrupt handler (node ends with 128 + signal) and a
    // killed server does not concern it.
    expected: { SIGINT: 130, SIGTERM: 143, 'postmaster SIGKILL': 0 },
    rerun: async () => {
      const r = await runCli(['report', reportSource!]);
      if (r.code !== 0) return `report exited ${r.code}: ${r.stderr.slice(-300)}`;
      const html = fs.readFileSync(path.join(reportSource!, 'report.html'), 'utf8');
      return html.trimEnd().endsWith('</html>') ? null : 'report.html is cut short';
    },
  },
];
