import path from 'node:path';
import { EXIT_INTERRUPTED, GeobenchError } from '../core/errors.ts';
import { makeDirs } from '../core/output-dir.ts';
import { writeReport } from '../report/write-report.ts';
import { booleanCheck, checksVerdict, type Check } from './checks.ts';
import type { ProductionVerdict } from '../analysis/decision.ts';
import { writeValidation } from './report-file.ts';
import { decideFolder } from './signoff-resume.ts';
import type { ValidationFile } from '../formats/validation-file.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

/**
 * The staging sign-off: every validator in turn, each into `<out>/<name>/` with its own
 * validation.json, result files and report; then one KPI table with all their checks (prefixed by
 * the validator) and the roadmap's "Production Ready" line = every target of every validator holds.
 * A validator that fails outright (a migration error, a lost database) is recorded as a failed
 * check with its message and the others still run; Ctrl-C stops the sign-off.
 */
/** The "Production Ready" line: ✓ yes, ✗ no, ? inconclusive — with what keeps it from yes. */
export function productionReadyCheck(verdict: ProductionVerdict, evidence: unknown): Check {
  const words = { yes: 'YES', no: 'NO', inconclusive: 'INCONCLUSIVE' }[verdict.verdict];
  const base = booleanCheck('Production Ready (every required target of every validator holds)', verdict.verdict === 'yes', verdict.reasons.length ? `${words} — ${verdict.reasons.join('; ')}` : words, { ...(evidence as object), verdict });
  return verdict.verdict === 'inconclusive' ? { ...base, pass: null, outcome: 'inconclusive' } : base;
}

export function signoffValidator(parts: () => readonly Validator[]): Validator {
  return {
    name: 'signoff',
    roadmapName: 'STAGING SIGN-OFF (OPT2, OPT3, OPT45, OPT2–OPT5 combined)',
    description: 'every validator in turn, one KPI table and the Production Ready verdict',
    async run(ctx: ValidateContext): Promise<ValidationOutcome> {
      const checks: Check[] = [];
      const outcomes: Record<string, { allTargetsHold: boolean; verdict: ProductionVerdict['verdict']; dir: string; error?: string; reused?: boolean; seconds?: number }> = {};
      const record = (v: Validator, file: ValidationFile, dir: string, reused: boolean): void => {
        // Wall time of the validator in this run (the plan's estimates are checked against it); none when reused.
        const seconds = reused ? {} : { seconds: (Date.parse(file.finishedAt) - Date.parse(file.startedAt)) / 1000 };
        outcomes[v.name] = { allTargetsHold: file.allTargetsHold, verdict: file.verdict ?? (file.allTargetsHold ? 'yes' : 'no'), dir: path.basename(dir), ...(reused ? { reused: true } : {}), ...seconds };
        for (const c of file.checks) checks.push({ ...(c as Check), metric: `${v.name.toUpperCase()} · ${c.metric}` });
      };
      const interrupted = (): GeobenchError => new GeobenchError(`sign-off interrupted; finished validators are kept in ${ctx.outDir}`, { exitCode: EXIT_INTERRUPTED, hint: `continue it with: geobench validate signoff --resume ${ctx.outDir}` });
      for (const v of parts()) {
        if (ctx.signal.aborted) throw interrupted();
        const dir = path.join(ctx.outDir, v.name);
        const runId = `${ctx.runId}-${v.name}`;
        if (ctx.signoff?.resume) {
          const decision = decideFolder(dir, ctx.signoff.inputsKey);
          if (decision.reuse) {
            ctx.log(`\n== sign-off: ${v.name} finished at ${decision.file.finishedAt} with the same inputs (dataset, migrations, targets, measurement options): reused from ${dir}`);
            record(v, decision.file, dir, true);
            continue;
          }
          ctx.log(`\n== sign-off: ${v.name} runs${decision.why === 'not started' ? '' : ` again: ${decision.why}`}${decision.movedTo ? `; its folder was moved to ${decision.movedTo}` : ''}`);
        }
        const startedAt = new Date().toISOString();
        ctx.log(`\n== sign-off: validate ${v.name} (${v.roadmapName}) → ${dir}`);
        // Made first, so an interrupted validator always leaves its folder for --resume to set aside.
        makeDirs(dir);
        try {
          const outcome = await v.run({ ...ctx, outDir: dir, runId });
          const file = writeValidation(dir, v, runId, startedAt, { scale: ctx.scale, seed: ctx.seed }, outcome, ctx.signoff?.inputsKey);
          record(v, file, dir, false);
          await writeReport(dir, ctx.log).catch((err: Error) => ctx.log(`report of ${v.name} not written: ${err.message}`));
        } catch (err) {
          if (ctx.signal.aborted) throw interrupted();
          const message = (err as Error).message;
          ctx.log(`validate ${v.name} failed: ${message}`);
          outcomes[v.name] = { allTargetsHold: false, verdict: 'no', dir: v.name, error: message };
          checks.push(booleanCheck(`${v.name.toUpperCase()} · validator completed`, false, `failed: ${message}`));
        }
      }
      if (ctx.signal.aborted) throw interrupted();
      const names = parts().map((v) => v.name);
      const ran = names.filter((n) => outcomes[n]);
      // The verdict over every validator's lines: no on a failure or a required KPI not measured,
      // inconclusive when the rest hold but an interval straddles its target; a validator not run is a no.
      const notRun = names.filter((n) => !outcomes[n]);
      const v = checksVerdict(checks);
      const verdict: ProductionVerdict = notRun.length ? { verdict: 'no', reasons: [...notRun.map((n) => `${n}: not run`), ...v.reasons] } : v;
      checks.push(productionReadyCheck(verdict, outcomes));
      return { checks, evidence: { validators: outcomes } };
    },
  };
}
