import fs from 'node:fs';
import { childrenOf } from './server-cpu.ts';
import { unavailable, type Unavailable } from './unavailable.ts';

/**
 * Memory of the PostgreSQL server on this machine: the proportional set size (PSS) of the
 * postmaster and all its children, from /proc/<pid>/smaps_rollup. PSS splits each shared page
 * (shared_buffers) between the processes that map it, so the sum counts shared memory once —
 * summing RSS would count shared_buffers once per backend.
 */
export interface ServerMemory {
  readonly available: true;
  readonly processes: number;
  /** Sum of PSS, bytes. */
  readonly pssBytes: number;
  /** Of which anonymous/private (not shared with another process), bytes. */
  readonly privateBytes: number;
}

/** Parses the kB fields of an smaps_rollup file. Pure. */
export function parseSmapsRollup(text: string): { pssKb: number; privateKb: number } {
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { pssKb: field('Pss'), privateKb: field('Private_Clean') + field('Private_Dirty') };
}

/** PSS of the server whose postmaster is `postmasterPid` (see snapshotServerCpu for finding it). */
export function serverMemory(postmasterPid: number): ServerMemory | Unavailable {
  try {
    const pids = [postmasterPid, ...childrenOf(postmasterPid).map((p) => p.pid)];
    let pssKb = 0;
    let privateKb = 0;
    let processes = 0;
    for (const pid of pids) {
      try {
        const m = parseSmapsRollup(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
        pssKb += m.pssKb;
        privateKb += m.privateKb;
        processes++;
      } catch {
        // exited while we read
      }
    }
    return { available: true, processes, pssBytes: pssKb * 1024, privateBytes: privateKb * 1024 };
  } catch (err) {
    return unavailable(`cannot read server memory from /proc: ${(err as Error).message}`);
  }
}
