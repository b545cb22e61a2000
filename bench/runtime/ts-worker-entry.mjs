// piscina worker entry: registers tsx inside the worker thread (Node 20 does not apply a
// parent's --import loader to worker threads), then loads the TypeScript worker module named
// in workerData and dispatches each task { fn, arg } to its export `fn`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const mod = await import(workerData.module);

export default function dispatch(task) {
  const fn = mod[task.fn];
  if (typeof fn !== 'function') throw new Error(`worker module has no export '${task.fn}'`);
  return fn(task.arg);
}
