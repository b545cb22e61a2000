import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses to run as root, so as root the server tools run as the `postgres` user. */
export const SERVER_OS_USER = 'postgres';

/** Runs a command (as the server OS user when we are root) and captures its output. */
export function runServerTool(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', SERVER_OS_USER, '--', command, ...args]] : [command, [...args]];
  return runCommand(cmd, argv, options);
}

export function runCommand(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // detached: a Ctrl-C meant for geobench must not kill the server pg_ctl starts.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
