import { Piscina } from 'piscina';

/** A fixed-size worker pool running a TypeScript module's exported functions. */
export interface WorkerPool {
  run<T>(fn: string, arg: unknown): Promise<T>;
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
  return {
    run: <T>(fn: string, arg: unknown): Promise<T> => piscina.run({ fn, arg }) as Promise<T>,
    destroy: () => piscina.destroy(),
  };
}
