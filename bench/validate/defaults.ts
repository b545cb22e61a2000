/**
 * The settings `geobench validate` uses when none is given: its --help defaults and the nightly's
 * validate entries without overrides read them from here, so both measure the same thing.
 */
export const VALIDATE_DEFAULTS = {
  /** Dataset scale (1.0 = 12.4M geometries). */
  scale: 0.1,
  seed: 1,
  /** Measured seconds per segment of the load comparison. */
  durationSec: 20,
  /** Warmup seconds before each measurement. */
  warmupSec: 5,
  /** Repetitions of the interleaved comparison. */
  repetitions: 3,
  /** Client connections of the load comparison. */
  connections: 4,
} as const;
