import type { Validator } from './types.ts';
import { opt2Validator } from './opt2.ts';
import { opt3Validator } from './opt3.ts';
import { combinedValidator } from './combined.ts';

/** The validators `geobench validate` knows, by name. A new validator = one file + one line here. */
export const VALIDATORS: Readonly<Record<string, Validator>> = {
  [opt2Validator.name]: opt2Validator,
  [opt3Validator.name]: opt3Validator,
  [combinedValidator.name]: combinedValidator,
};
