import { defineScenario } from '../bench/scenario/schema.ts';

/** Seconds-long run on a tiny dataset: every query type against baseline and OPT1. Used by tests. */
export default defineScenario({
  name: 'smoke',
  description: 'A few seconds of the full query mix (Q1–Q8 + W1) on 12,400 geometries, baseline vs OPT1',
  dataset: { scale: 0.001, seed: 7 },
  variants: [
    { name: 'baseline', migrateTo: 'baseline', description: 'plain heap table' },
    { name: 'opt1', migrateTo: 'OPT1', description: 'monthly partitions on created_at' },
  ],
  workload: { Q1: 20, Q2: 3, Q3: 20, Q4: 15, Q5: 5, Q6: 15, Q7: 2, Q8: 15, W1: 5 },
  load: { model: 'closed', connections: 2 },
  warmupSec: 1,
  durationSec: 3,
  repetitions: 2,
  statementTimeoutMs: 10_000,
  kpis: [
    { scope: 'all', target: 'error_rate < 1%', label: 'errors' },
    { scope: 'all', target: 'throughput > 10', label: 'the harness moves' },
  ],
});
