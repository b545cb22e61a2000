/**
 * The remaining phases of issue 15: dataset verify, migrate down, `validate opt45` while its jobs
 * are forced to every minute, and the nightly between two history writes. Each names the state
 * check that must hold after the fault (state-checks.ts) and the re-run that must work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { withClient } from '../../bench/db/connect.ts';
import { runCli } from '../helpers/cli.ts';
import { baselineDataset, clusterUp, lastOutDir, must, newOut, ok, type Phase } from './phases.ts';
import { cronRestored, firstProblem, historyConsistent, ledgerConsistent, manifestConsistent, partialResultMarked } from './state-checks.ts';

const OPT45_SCHEMA = 'geobench_state_a';
const OPT45_ARGS = ['--scale', '0.002', '--duration', '2', '--warmup', '0', '--repeat', '1'];

/** Removes what validate opt45 leaves by design (its OPT5 schema, jobs and partman config), so a cell starts clean. */
async function dropOpt45(): Promise<void> {
  await withClient(await clusterUp(), async (c) => {
    await c.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE starts_with(jobname, $1)`, [`${OPT45_SCHEMA}:`]);
    const cfg = (await c.query<{ template_table: string | null }>(`SELECT template_table FROM partman.part_config WHERE parent_table = $1`, [`${OPT45_SCHEMA}.geometrias`])).rows;
    await c.query(`DELETE FROM partman.part_config WHERE parent_table = $1`, [`${OPT45_SCHEMA}.geometrias`]);
    for (const r of cfg) if (r.template_table) await c.query(`DROP TABLE IF EXISTS ${r.template_table}`);
    await c.query(`DROP SCHEMA IF EXISTS ${OPT45_SCHEMA}_api CASCADE; DROP SCHEMA IF EXISTS ${OPT45_SCHEMA} CASCADE`);
  });
}

let nightly: { dir: string; config: string; history: string } | undefined;
const nightlyFiles = (): NonNullable<typeof nightly> => {
  if (nightly) return nightly;
  const dir = path.dirname(newOut());
  const config = path.join(dir, 'nightly.json');
  // Two entries, so a fault right after the first history write lands between two writes.
  const entry = { kind: 'scenario', name: 'smoke', overrides: { scale: 0.002, durationSec: 1, warmupSec: 0, repetitions: 1 } };
  fs.writeFileSync(config, JSON.stringify({ description: 'fault suite', entries: [{ ...entry, id: 'first' }, { ...entry, id: 'second' }] }));
  return (nightly = { dir, config, history: path.join(dir, 'history') });
};
const nightlyArgs = (out: string): string[] => ['nightly', '--config', nightlyFiles().config, '--history', nightlyFiles().history, '--out', out];

export const MORE_PHASES: readonly Phase[] = [
  {
    name: 'dataset verify',
    prepare: baselineDataset,
    args: () => ['dataset', 'verify', '--workers', '1'],
    trigger: /verifying the dataset/,
    // verify only reads: it has no interrupt handler (node ends with 128 + signal).
    expected: { SIGINT: 130, SIGTERM: 143, 'postmaster SIGKILL': 1 },
    rerun: async () => (await manifestConsistent()) ?? ok(['dataset', 'verify']),
  },
  {
    name: 'migrate down',
    prepare: async () => {
      await baselineDataset();
      await must(['migrate', 'up', '--to', 'OPT1']);
    },
    args: () => ['migrate', 'down', '--to', 'baseline'],
    trigger: /rolling back/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => (await ledgerConsistent()) ?? (await ok(['migrate', 'down', '--to', 'baseline'])) ?? ledgerConsistent(),
  },
  {
    name: 'validate opt45 (cron forced)',
    prepare: async () => {
      await clusterUp();
      await dropOpt45();
    },
    args: () => ['validate', 'opt45', ...OPT45_ARGS, '--out', newOut()],
    trigger: /switched .* to every minute/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    // Signals: the validator restores every schedule before it exits. A killed server cannot be
    // told anything: the saved schedules wait in their table and the next run restores them first
    // — so for that fault the re-run is the whole validator, and the check comes after it.
    rerun: async () => {
      const faulted = lastOutDir();
      const immediate = await cronRestored(OPT45_SCHEMA);
      // No verdict from a validator stopped half-way (no validation.json); what it measured — the
      // standard workload's result.json, run during the forced wave — is kept and marked incomplete.
      const kept = fs.existsSync(path.join(faulted, 'validation.json')) ? `${faulted} holds a validation.json after the fault` : partialResultMarked(faulted, 'incomplete if any');
      if (immediate === null) return kept ?? ledgerConsistent(OPT45_SCHEMA);
      const out = newOut();
      const r = await runCli(['validate', 'opt45', ...OPT45_ARGS, '--out', out]);
      if (!/restored \d+ job schedules left at every minute/.test(r.stderr)) return `after the fault: ${immediate}; the re-run (exit ${r.code}) did not restore them: ${r.stderr.slice(-300)}`;
      return firstProblem(() => kept, () => cronRestored(OPT45_SCHEMA), () => ledgerConsistent(OPT45_SCHEMA),
        () => (fs.existsSync(path.join(out, 'validation.json')) ? null : `the re-run wrote no validation.json (exit ${r.code})`));
    },
  },
  {
    name: 'nightly history write',
    prepare: async () => void (await clusterUp()),
    args: () => nightlyArgs(newOut()),
    // Right after the first entry is stored, before the second starts.
    trigger: /nightly first: stored in/,
    expected: { SIGINT: 130, SIGTERM: 130, 'postmaster SIGKILL': 1 },
    rerun: async () => {
      const files = nightlyFiles();
      const after = historyConsistent(files.history);
      if (after.problem) return after.problem;
      // Run ids sort by time: the faulted night is the last one stored; its first entry is in, the second never ran.
      const night = after.stored.map((d) => d.split('/')[0]!).sort().at(-1);
      const entries = after.stored.filter((d) => d.startsWith(`${night}/`)).map((d) => d.split('/')[1]).join(',');
      if (entries !== 'first') return `the interrupted night ${night} stored [${entries}], expected [first]`;
      const r = await runCli(nightlyArgs(newOut()));
      if (r.code !== 0) return `the next night exited ${r.code}: ${r.stderr.slice(-400)}`;
      const next = historyConsistent(files.history);
      return next.problem ?? (next.stored.length === after.stored.length + 2 ? null : `the next night stored ${next.stored.length - after.stored.length} entries, expected 2`);
    },
  },
];
