/**
 * Progress of a long step (verify, migrations, a generate inside a validator) reported by the code
 * that does it, shown by whoever registered a display: the CLI registers its progress bar
 * (bench/cli/progress.ts) once at start, so the steps report the same way whether a command or a
 * validator started them, and the lower floors never import the CLI. Without a display (library
 * use, tests) reporting does nothing.
 */
export interface StepProgress {
  /** `done` of the step's total so far. */
  update(done: number): void;
  /** The step ended (done or not): the display prints its last line. */
  finish(): void;
}

/** What a step says about itself: a label, its total and the unit counted; `showRate` = rate and ETA mean something. */
export interface StepProgressSpec {
  readonly label: string;
  readonly total: number;
  readonly unit: string;
  readonly showRate: boolean;
}

export type StepProgressDisplay = (spec: StepProgressSpec) => StepProgress;

const NONE: StepProgress = { update() {}, finish() {} };
let display: StepProgressDisplay | null = null;

/** Registers where progress goes (the CLI's bar); null turns it off. */
export function setStepProgressDisplay(d: StepProgressDisplay | null): void {
  display = d;
}

/** A progress reporter for one step: the registered display's, or one that does nothing. */
export function stepProgress(spec: StepProgressSpec): StepProgress {
  return display ? display(spec) : NONE;
}
