/**
 * A query type of the workload: one file per type under bench/queries/, registered in index.ts.
 * The same SQL runs unchanged against every schema variant: table names are unqualified and the
 * connection's search_path selects the variant's schema.
 */
export interface QueryContext {
  /** Rows in the dataset (ids 1..totalRows), for id-based parameters. */
  readonly totalRows: number;
}

export interface QueryType {
  /** Short name used in scenarios, results and reports: Q1…Q8, W1. */
  readonly name: string;
  /** One line for reports. */
  readonly title: string;
  readonly kind: 'read' | 'write';
  /** Parameterized SQL ($1, $2, …); never string-built from parameters. */
  readonly sql: string;
  /**
   * Draws one parameter set. Pure given `rng` (a seeded uniform [0,1) source): the same stream
   * gives the same parameters, so every variant sees the identical workload.
   */
  params(rng: () => number, ctx: QueryContext): unknown[];
}
