import path from 'node:path';
import { writeReport } from '../report/write-report.ts';
import { allTargetsHold, booleanCheck, type Check } from './checks.ts';
import { writeValidation } from './report-file.ts';
import type { ValidateContext, ValidationOutcome, Validator } from './types.ts';

/**
 * The staging sign-off: every validator in turn, each into `<out>/<name>/` with its own
 * validation.json, result files and report; then one KPI table with all their checks (prefixed by
 * the validator) and the roadmap's "Production Ready" line = every target of every validator holds.
 * A validator that fails outright (a migration error, a lost database) is recorded as a failed
 * check with its message and the others still run; Ctrl-C stops the sign-off.
 */
export function signoffValidator(parts: () => readonly Validator[]): Validator {
  return {
    name: 'signoff',
    roadmapName: 'STAGING SIGN-OFF (OPT2, OPT3, OPT45, OPT2–OPT5 combined)',
    description: 'every validator in turn, one KPI table and the Production Ready verdict',
    async run(ctx: ValidateContext): Promise<ValidationOutcome> {
      const checks: Check[] = [];
      const outcomes: Record<string, { allTargetsHold: boolean; dir: string; error?: string }> = {};
      for (const v of parts()) {
        if (ctx.signal.aborted) break;
        const dir = path.join(ctx.outDir, v.name);
        const runId = `${ctx.runId}-${v.name}`;
        const startedAt = new Date().toISOString();
        ctx.log(`\n== sign-off: validate ${v.name} (${v.roadmapName}) → ${dir}`);
        try {
          const outcome = await v.run({ ...ctx, outDir: dir, runId });
          const file = writeValidation(dir, v, runId, startedAt, { scale: ctx.scale, seed: ctx.seed }, outcome);
          outcomes[v.name] = { allTargetsHold: file.allTargetsHold, dir: v.name };
          for (const c of outcome.checks) checks.push({ ...c, metric: `${v.name.toUpperCase()} · ${c.metric}` });
          await writeReport(dir, ctx.log).catch((err: Error) => ctx.log(`report of ${v.name} not written: ${err.message}`));
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          const message = (err as Error).message;
          ctx.log(`validate ${v.name} failed: ${message}`);
          outcomes[v.name] = { allTargetsHold: false, dir: v.name, error: message };
          checks.push(booleanCheck(`${v.name.toUpperCase()} · validator completed`, false, `failed: ${message}`));
        }
      }
      const names = parts().map((v) => v.name);
      const ran = names.filter((n) => outcomes[n]);
      const ready = ran.length === names.length && ran.every((n) => outcomes[n]!.allTargetsHold) && allTargetsHold(checks);
      checks.push(booleanCheck('Production Ready (every target of every validator holds)', ready,
        ready ? 'YES' : `NO — ${names.filter((n) => !outcomes[n]?.allTargetsHold).map((n) => (outcomes[n] ? n : `${n} (not run)`)).join(', ')} not all targets hold`, outcomes));
      return { checks, evidence: { validators: outcomes } };
    },
  };
}
