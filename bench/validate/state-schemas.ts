import { assertOwnSchema } from '../db/schema.ts';

/**
 * Where the sign-off's schema states live. Each validator compares two states (opt2: OPT1 vs
 * OPT1+2, opt3: OPT1+2 vs OPT1+2+3, combined: OPT1 vs OPT1…5) and opt45 works on OPT1…5; a
 * schema per variant meant seven dataset builds (each up to 4.5 GB at scale 1). Two schemas are
 * enough, because the sign-off's validators run in order and each leaves a state the next needs:
 *
 * | validator | schema A (`geobench_state_a`)      | schema B (`geobench_state_b`)                     |
 * |-----------|------------------------------------|---------------------------------------------------|
 * | opt2      | before: OPT1                       | after: OPT1 → OPT2 applied in place (the measured migration) |
 * | opt3      | after: A taken on to OPT3           | before: OPT2, as opt2 left it                      |
 * | opt45     | after: A taken on to OPT5 (changes it, checks it back) | —                             |
 * | combined  | after: OPT5, as opt45 left it       | before: B rolled back to OPT1                      |
 *
 * Every state is reached from the one before it by migrations (prepareSchema), never rebuilt
 * from the dataset while the schema holds it. The two variants of a comparison are always in
 * different schemas (test/unit/state-schemas.test.ts). A validator run alone prepares the same
 * schemas, migrating them up or down from wherever the last run left them.
 */
export const STATE_SCHEMA_OF: Readonly<Record<string, 'a' | 'b'>> = {
  opt2_before: 'a',
  opt2_after: 'b',
  opt3_before: 'b',
  opt3_after: 'a',
  opt45_after: 'a',
  combined_before: 'b',
  combined_after: 'a',
};

/** The shared schema of a validator's variant (a name not in the table is a programming error). */
export function stateSchema(variant: string): string {
  const slot = STATE_SCHEMA_OF[variant];
  if (!slot) throw new Error(`no state schema for validator variant '${variant}' (bench/validate/state-schemas.ts)`);
  return assertOwnSchema(`geobench_state_${slot}`);
}
