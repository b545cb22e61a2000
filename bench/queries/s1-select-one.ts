import type { QueryType } from './types.ts';

/**
 * Probe, not part of the roadmap workload: `SELECT 1` measures the harness's own per-operation
 * cost (driver, recording, scheduling) against pgbench — see scripts/bench-vs-pgbench.ts.
 */
export const s1SelectOne: QueryType = {
  name: 'S1',
  title: 'SELECT 1 — harness overhead probe (no table access)',
  kind: 'read',
  sql: 'SELECT 1',
  params: () => [],
};
