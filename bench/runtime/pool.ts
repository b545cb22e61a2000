import { Piscina } from 'piscina';

/** A fixed-size worker pool running a TypeScript module's exported functions. */
export interface WorkerPool {
  run<T>(fn: string, arg: unknown): Promise<T>;
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
  return {
    run<T>(fn: string, arg: unknown): Promise<T> {
      const task = piscina.run({ fn, arg }) as Promise<T>;
      pending.add(task);
      const forget = (): void => void pending.delete(task);
      task.then(forget, forget);
      return task;
    },
    async destroy() {
      // An interrupted run leaves tasks nobody awaits any more; their rejection is expected.
      for (const task of pending) task.catch(() => {});
      await piscina.destroy();
    },
  };
}
