import type { Validator } from './types.ts';
import { opt2Validator } from './opt2.ts';
import { opt3Validator } from './opt3.ts';
import { opt45Validator } from './opt45.ts';
import { combinedValidator } from './combined.ts';
import { signoffValidator } from './signoff.ts';

/** The validators of the sign-off, in the order it runs them. A new validator = one file + one line here. */
const PARTS: readonly Validator[] = [opt2Validator, opt3Validator, opt45Validator, combinedValidator];

/** The validators `geobench validate` knows, by name. */
export const VALIDATORS: Readonly<Record<string, Validator>> = {
  ...Object.fromEntries(PARTS.map((v) => [v.name, v])),
  signoff: signoffValidator(() => PARTS),
};
