/**
 * The plan printed before `geobench validate` builds anything (and all that `--dry-run` does): every
 * step with its estimated time and disk, the totals, and the disk check. A run whose plan needs more
 * disk than is free stops here with exit 2, before any schema is created.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.ts';
import { GeobenchError } from '../../core/errors.ts';
import { withClient } from '../../db/connect.ts';
import { withSchema, type DbTarget } from '../../db/target.ts';
import { requireCompleteManifest } from '../../dataset/manifest.ts';
import { rowsForScale } from '../../dataset/model.ts';
import { VALIDATORS } from '../../validate/registry.ts';
import { formatDisk, formatPlanTable, formatTotals } from '../../validate/plan-table.ts';
import { planValidation } from '../../validate/validation-plan.ts';
import { formatPlanAccuracy, planAccuracy } from '../../validate/plan-accuracy.ts';
import type { PlanRow } from '../../validate/signoff-plan.ts';
import type { ValidationFile } from '../../formats/validation-file.ts';

export interface PlanOptions {
  readonly scale: number;
  readonly seed: number;
  readonly datasetFrom?: string | undefined;
  readonly duration: number;
  readonly warmup: number;
  readonly repeat: number;
  readonly stress?: boolean | undefined;
  readonly planMainJob?: boolean | undefined;
}

/** The validators `name` runs, in order: the sign-off's parts, or the one validator. */
const validatorsOf = (name: string): string[] => (name === 'signoff' ? Object.keys(VALIDATORS).filter((n) => n !== 'signoff') : [name]);

/**
 * Computes and shows the plan of `validate <name>`; throws (exit 2) when the free disk is short.
 * `print` receives the plan's lines (stdout for --dry-run, the status stream for a run); a run keeps
 * the plan as `plan.json` in its output folder (estimates next to what the run then measures).
 */
export async function showPlan(server: DbTarget, name: string, opts: PlanOptions, sqlDir: string, print: (text: string) => void, outDir?: string): Promise<void> {
  const imported = opts.datasetFrom
    ? await withClient(withSchema(server, opts.datasetFrom), (c) => requireCompleteManifest(c, opts.datasetFrom!, `${server.display} schema ${opts.datasetFrom}`))
    : undefined;
  const plan = await planValidation({
    server, validators: validatorsOf(name), sqlDir, mainJobSchema: opts.planMainJob ? server.schema : undefined,
    want: { scale: opts.scale, seed: opts.seed, imported },
    settings: { durationSec: opts.duration, warmupSec: opts.warmup, repetitions: opts.repeat, stress: opts.stress === true },
  });
  const title = `plan of ${opts.planMainJob ? 'the main job: ' : ''}validate ${name} at scale ${opts.scale} (${rowsForScale(opts.scale).toLocaleString('en-US')} rows), ${opts.repeat} × (${opts.warmup} s warmup + ${opts.duration} s) per load comparison${opts.stress ? ', with --stress' : ''}`;
  const text = [
    title,
    formatPlanTable(plan.rows),
    formatTotals(plan.totals),
    formatDisk(plan.disk, plan.diskWhere),
    ...(plan.ratesProblem ? [`step rates file ignored (published figures used): ${plan.ratesProblem}`] : []),
    'estimates: measured rates × rows (docs/validators.md "Dry run"); reused schemas cost nothing',
  ].join('\n');
  if (plan.disk.refuse) {
    throw new GeobenchError(`not enough free disk for validate ${name} at scale ${opts.scale}: it needs ${(plan.disk.neededBytes / 1e9).toFixed(2)} GB, ${(plan.disk.freeBytes! / 1e9).toFixed(2)} GB are free (${(plan.disk.marginBytes / 1e9).toFixed(2)} GB kept free); nothing was built\n${text}`, {
      exitCode: 2,
      hint: 'free disk space, choose a smaller --scale, or drop schemas of earlier runs (geobench db destroy starts over)',
    });
  }
  // Kept before it is shown: whoever reads the plan on screen finds it in the folder.
  if (outDir) {
    const saved = { validate: name, scale: opts.scale, settings: { durationSec: opts.duration, warmupSec: opts.warmup, repetitions: opts.repeat, stress: opts.stress === true }, plannedAt: new Date().toISOString(), ...plan };
    writeFileAtomic(path.join(outDir, 'plan.json'), `${JSON.stringify(saved, null, 2)}\n`);
  }
  print(text);
}

/**
 * After a run: the plan's estimate per validator (from `<out>/plan.json`) against the wall time
 * each took, printed and kept as `<out>/plan-accuracy.json` — how far the dry-run can be trusted.
 */
export function reportPlanAccuracy(outDir: string, name: string, file: ValidationFile, print: (text: string) => void): void {
  let plan: { rows?: PlanRow[] };
  try {
    plan = JSON.parse(fs.readFileSync(path.join(outDir, 'plan.json'), 'utf8')) as { rows?: PlanRow[] };
  } catch {
    return; // no plan was made (e.g. an external server without one): nothing to compare
  }
  const validators = (file.evidence as { validators?: Record<string, { seconds?: number }> }).validators;
  const measured: Record<string, number> = name === 'signoff'
    ? Object.fromEntries(Object.entries(validators ?? {}).flatMap(([n, v]) => (v.seconds === undefined ? [] : [[n, v.seconds]])))
    : { [name]: (Date.parse(file.finishedAt) - Date.parse(file.startedAt)) / 1000 };
  const rows = planAccuracy(plan.rows ?? [], measured);
  if (rows.length === 0) return;
  writeFileAtomic(path.join(outDir, 'plan-accuracy.json'), `${JSON.stringify({ rows }, null, 2)}\n`);
  print(formatPlanAccuracy(rows));
}
