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

/** One reading of the server's memory during a measurement window. */
export interface MemorySample {
  /** Seconds after the window opened. */
  readonly atSec: number;
  readonly processes: number;
  readonly pssBytes: number;
  readonly privateBytes: number;
}

/** Server memory over a window: the largest sample (what the machine must hold), plus all samples. */
export interface WindowMemory extends ServerMemory {
  /** How `pssBytes`/`privateBytes`/`processes` were taken from the samples. */
  readonly basis: 'max of samples taken while the load ran';
  readonly meanPssBytes: number;
  readonly samples: readonly MemorySample[];
}

/**
 * When to sample a window of `windowSec` seconds: at its middle and just before its end
 * (10% of the window, at most 1 s, before it), while every load connection is open. Pure.
 */
export function memorySampleOffsetsSec(windowSec: number): number[] {
  if (!(windowSec > 0)) return [];
  return [windowSec / 2, windowSec - Math.min(0.1 * windowSec, 1)];
}

/** The samples summarized as their maximum (and mean PSS), or why there is nothing to show. Pure. */
export function summarizeMemorySamples(samples: readonly (MemorySample | Unavailable)[]): WindowMemory | Unavailable {
  const taken = samples.filter((s): s is MemorySample => !('available' in s));
  if (taken.length === 0) {
    const why = samples.find((s): s is Unavailable => 'available' in s);
    return why ?? unavailable('no memory sample was taken while the load ran (the window ended before the first sample)');
  }
  return {
    available: true,
    basis: 'max of samples taken while the load ran',
    processes: Math.max(...taken.map((s) => s.processes)),
    pssBytes: Math.max(...taken.map((s) => s.pssBytes)),
    privateBytes: Math.max(...taken.map((s) => s.privateBytes)),
    meanPssBytes: taken.reduce((sum, s) => sum + s.pssBytes, 0) / taken.length,
    samples: taken,
  };
}

/**
 * Samples the server's memory while a window runs (memorySampleOffsetsSec after construction):
 * measured after the window, the workers' backends would already be gone and the server idle.
 */
export class MemorySampler {
  private readonly samples: (MemorySample | Unavailable)[] = [];
  private readonly timers: NodeJS.Timeout[];
  private readonly startedAt = performance.now();

  constructor(postmasterPid: number, windowSec: number) {
    this.timers = memorySampleOffsetsSec(windowSec).map((sec) => setTimeout(() => {
      const atSec = (performance.now() - this.startedAt) / 1000;
      // A timer a busy machine fired after the window: the load may be winding down; no sample.
      if (atSec >= windowSec) return;
      const m = serverMemory(postmasterPid);
      this.samples.push(m.available ? { atSec, processes: m.processes, pssBytes: m.pssBytes, privateBytes: m.privateBytes } : m);
    }, sec * 1000));
  }

  /** Cancels samples not yet due and summarizes those taken. */
  stop(): WindowMemory | Unavailable {
    for (const t of this.timers) clearTimeout(t);
    return summarizeMemorySamples(this.samples);
  }
}
