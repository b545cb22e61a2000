import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';
import type { DbTarget } from '../db/target.ts';

/**
 * Starts `geobench rpc serve` as its own process (the load generator must not share the server's
 * event loop) for one of geobench's schemas, and resolves with its URL once it listens.
 */
export async function startRpcProcess(target: DbTarget, options: { connections: number }): Promise<{ url: string; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // An external server reaches the child through the environment, never the command line (ps).
  if (target.kind === 'external' && target.client.connectionString) env.DATABASE_URL = target.client.connectionString;
  const args = [path.join(PROJECT_ROOT, 'bin/geobench.js'), '--schema', target.schema, 'rpc', 'serve', '--port', '0', '--pool', String(Math.max(2, options.connections))];
  if (target.kind === 'external') args.splice(1, 0, '--allow-remote');
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rpc serve did not start within 30 s: ${stderr.slice(-500)}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rpc serve exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
