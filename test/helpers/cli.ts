import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = path.join(PROJECT_ROOT, 'bin', 'geobench.js');

/** Runs the real CLI as a user would, with the test's GEOBENCH_HOME. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(d.toString(), child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}
