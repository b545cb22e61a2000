/**
 * Folders geobench writes to: created one component at a time and write-tested before any long
 * work starts.
 *
 * Why not `fs.mkdirSync(dir, { recursive: true })`: on Node 20 it never returns for a path under
 * /proc (e.g. /proc/forbidden). procfs answers mkdir("/proc/forbidden") with ENOENT although the
 * parent exists; Node's MKDirpSync treats ENOENT as "parent missing", creates the parent (EEXIST,
 * a directory) and retries the child, forever — a synchronous loop, so not even SIGINT/SIGTERM
 * handlers can run. Here a component that cannot be made is an error at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from './errors.ts';

const reason = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    ENOENT: 'the file system does not allow creating it',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is not a folder',
    ENAMETOOLONG: 'the name is too long',
  };
  return e?.code ? `${text[e.code] ?? e.message} (${e.code})` : String(err);
};

/**
 * Creates `dir` and its missing parents, one mkdir per component (never the recursive form). The
 * first existing ancestor must be a folder. Throws a GeobenchError naming the path, with `exitCode`.
 */
export function makeDirs(dir: string, options: { mode?: number; exitCode?: number } = {}): string {
  const abs = path.resolve(dir);
  const fail = (message: string): never => {
    throw new GeobenchError(message, { exitCode: options.exitCode ?? 1 });
  };
  const missing: string[] = [];
  let current = abs;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') fail(`cannot create the folder ${abs}: ${current}: ${reason(err)}`);
    }
    if (stat) {
      if (!stat.isDirectory()) fail(`cannot create the folder ${abs}: ${current} exists and is not a folder`);
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) fail(`cannot create the folder ${abs}: no existing parent folder`);
    current = parent;
  }
  for (const component of missing.reverse()) {
    try {
      fs.mkdirSync(component, options.mode === undefined ? undefined : { mode: options.mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process made it meanwhile: fine if it is a folder.
      if (code === 'EEXIST' && fs.statSync(component).isDirectory()) continue;
      fail(`cannot create the folder ${abs}: mkdir ${component}: ${reason(err)}`);
    }
  }
  return abs;
}

/**
 * Makes `dir` (see makeDirs) and proves it writable with a real probe file (access(2) alone says
 * yes to root on most read-only places). Usage error (exit 2) naming the path and `what` it is.
 */
export function assertWritableDir(dir: string, what: string): string {
  const abs = path.resolve(dir);
  let created: string;
  try {
    created = makeDirs(abs, { exitCode: 2 });
  } catch (err) {
    throw new GeobenchError(`${what} ${abs} cannot be written: ${(err as Error).message}`, { exitCode: 2, hint: `choose another ${what}` });
  }
  const probe = path.join(created, `.geobench-write-probe-${process.pid}`);
  try {
    fs.accessSync(created, fs.constants.W_OK);
    fs.writeFileSync(probe, 'probe\n', { flag: 'wx' });
    fs.rmSync(probe, { force: true });
  } catch (err) {
    throw new GeobenchError(`${what} ${abs} cannot be written: ${reason(err)}`, { exitCode: 2, hint: `choose another ${what}` });
  }
  return created;
}
