import { EXIT_INTERRUPTED } from '../core/errors.ts';

/**
 * Ctrl-C handling shared by all commands: the first SIGINT/SIGTERM aborts the running work through
 * an AbortSignal (commands clean up and keep partial results); a second one exits at once.
 */
const controller = new AbortController();
let installed = false;

export function interruptSignal(): AbortSignal {
  if (!installed) {
    installed = true;
    const handler = (sig: NodeJS.Signals): void => {
      if (controller.signal.aborted) {
        process.stderr.write(`\ngeobench: ${sig} again, exiting now\n`);
        process.exit(EXIT_INTERRUPTED);
      }
      process.stderr.write(`\ngeobench: ${sig} received, stopping cleanly (press Ctrl-C again to force)\n`);
      controller.abort();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
  return controller.signal;
}
