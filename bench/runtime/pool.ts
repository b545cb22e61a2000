import { Piscina } from 'piscina';
import type { TransferListItem } from 'node:worker_threads';

/** A fixed-size worker pool running a TypeScript module's exported functions. */
export interface WorkerPool {
  run<T>(fn: string, arg: unknown): Promise<T>;
  /** Like run, moving `transfer` (e.g. a MessagePort inside `arg`) to the worker. */
  runTransfer<T>(fn: string, arg: unknown, transfer: readonly TransferListItem[]): Promise<T>;
  /** Stops the workers; tasks still running are abandoned (their promises reject, already handled). */
  destroy(): Promise<void>;
}

const ENTRY = new URL('./ts-worker-entry.mjs', import.meta.url);

/** `worker` is the TypeScript module whose exports the tasks call (see ts-worker-entry.mjs). */
export function createWorkerPool(worker: URL, threads: number): WorkerPool {
  const piscina = new Piscina({
    filename: ENTRY.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    workerData: { module: worker.href },
  });
  const pending = new Set<Promise<unknown>>();
  const track = <T>(task: Promise<T>): Promise<T> => {
    pending.add(task);
    const forget = (): void => void pending.delete(task);
    task.then(forget, forget);
    return task;
  };
  return {
    run: <T>(fn: string, arg: unknown): Promise<T> => track(piscina.run({ fn, arg }) as Promise<T>),
    runTransfer: <T>(fn: string, arg: unknown, transfer: readonly TransferListItem[]): Promise<T> =>
      track(piscina.run({ fn, arg }, { transferList: transfer as TransferListItem[] }) as Promise<T>),
    async destroy() {
      // An interrupted run leaves tasks nobody awaits any more; their rejection is expected.
      for (const task of pending) task.catch(() => {});
      await piscina.destroy();
    },
  };
}
