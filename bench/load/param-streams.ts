/**
 * Names of the seeded parameter streams of a run. A worker's streams are named by the run's
 * parameter seed, the repetition, the worker's stream index and the connection (or a tag for the
 * open model's arrival and parameter streams). The stream index is the worker index plus the
 * shard's base (`RunPlan.streamIndexBase`), so the shards of a run draw disjoint streams and a run
 * of one shard draws exactly the single-process streams. Pure.
 */
export function connectionStreamKey(paramSeed: number, repetition: number, streamIndex: number, connectionOrTag: number | string): string {
  return `${paramSeed}:${repetition}:${streamIndex}:${connectionOrTag}`;
}

/**
 * Every connection stream a plan's workers draw from in one repetition, in worker order: worker
 * w (stream index base + w) has one stream per connection (closed model; the runner gives the
 * worker `streamIndexBase + workerIndex`). Pure: lets a test compare the draws of two plans.
 */
export function planConnectionStreams(plan: { readonly paramSeed: number; readonly workerConnections: readonly number[]; readonly streamIndexBase?: number }, repetition: number): string[] {
  const base = plan.streamIndexBase ?? 0;
  return plan.workerConnections.flatMap((connections, w) => Array.from({ length: connections }, (_, c) => connectionStreamKey(plan.paramSeed, repetition, base + w, c)));
}
