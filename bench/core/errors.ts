/**
 * An error meant for the user: a clear message, an optional hint, and the exit code to leave with.
 * Anything else that reaches the top level is an internal error and is reported with its stack.
 */
export class GeobenchError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GeobenchError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Exit code for a run interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** Thrown when the user interrupts (Ctrl-C) a long-running command. */
export class InterruptedError extends GeobenchError {
  constructor(what: string) {
    super(`interrupted: ${what}`, { exitCode: EXIT_INTERRUPTED });
    this.name = 'InterruptedError';
  }
}
