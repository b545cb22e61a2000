import { defineScenario } from '../bench/scenario/schema.ts';

/**
 * Roadmap step OPT1 (temporal partitioning, already in production per the roadmap): the standard
 * query mix against the plain table and the monthly-partitioned one, on 1.24M geometries.
 * Time-window queries (Q5–Q7) are what partitioning is for; spatial-only queries (Q1–Q4) and
 * fetch-by-id (Q8) visit every partition and show its cost.
 */
export default defineScenario({
  name: 'opt1-partitioning',
  description: 'Standard mix (Q1–Q8 + W1) on 1.24M geometries: plain table vs 36 monthly partitions (OPT1)',
  dataset: { scale: 0.1, seed: 1 },
  variants: [
    { name: 'baseline', migrateTo: 'baseline', description: 'plain heap table, GiST + btree indexes' },
    { name: 'opt1', migrateTo: 'OPT1', description: 'monthly RANGE partitions on created_at + default partition' },
  ],
  workload: { Q1: 20, Q2: 2, Q3: 20, Q4: 15, Q5: 5, Q6: 15, Q7: 2, Q8: 16, W1: 5 },
  load: { model: 'closed', connections: 4 },
  warmupSec: 5,
  durationSec: 20,
  repetitions: 3,
  statementTimeoutMs: 30_000,
  kpis: [
    // Roadmap "System Stability 99.5%": share of operations without error.
    { scope: 'all', target: 'error_rate < 0.5%', label: 'system stability (errors < 0.5%)' },
  ],
});
