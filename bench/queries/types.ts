/**
 * A query type of the workload: one file per type under bench/queries/, registered in index.ts.
 * The same SQL runs unchanged against every schema variant: table names are unqualified and the
 * connection's search_path selects the variant's schema.
 */
export interface QueryContext {
  /** Rows in the dataset (ids 1..totalRows), for id-based parameters. */
  readonly totalRows: number;
  /**
   * Real rows to draw locations, layers and times from (an imported dataset's parameter sample,
   * bench/dataset/param-sample.ts); query-file types use it when present (bench/queries/sql-file.ts).
   */
  readonly sample?: readonly SampledRow[] | undefined;
}

/** One row of a dataset's parameter sample: a point on the geometry, its layer and creation time. */
export interface SampledRow {
  readonly lon: number;
  readonly lat: number;
  readonly layerId: number;
  /** Unix seconds */
  readonly createdSec: number;
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
  /**
   * Other ways to answer the same question with an optimization's objects (a materialized view,
   * an RPC function), by route name. A scenario variant opts in per query type (`routes: {Q7: 'mv'}`);
   * the parameters are the base type's, so every variant still sees the identical workload.
   */
  readonly routes?: Readonly<Record<string, QueryRoute>>;
}

/**
 * How old a route's answer can be. `live`: it reads tables the writes change in the same statement
 * (the base table, or a summary a trigger keeps exact), so it sees every committed write. `stale-bounded`:
 * it reads a materialized view (at least in part), so it misses the writes since the view's last refresh;
 * the load engine measures that age during the run (bench/evidence/route-staleness.ts) and every
 * KPI line that uses the route shows it next to the speed-up.
 */
export type RouteFreshness =
  | { readonly kind: 'live' }
  | {
      readonly kind: 'stale-bounded';
      /** The materialized view it reads (unqualified; in the variant's schema). */
      readonly source: string;
      /** What brings the view up to date (a refresh job, or nothing but a manual REFRESH). */
      readonly refreshedBy: string;
      /**
       * The base-table count of rows the view covers and the view's own count, compared at each
       * segment end: the number of written rows the route's answers miss. SQL without parameters.
       */
      readonly missedRowsSql: string;
    };

/** An alternative SQL text for a query type, using objects a migration creates. */
export interface QueryRoute {
  /** One line for reports: what it reads instead. */
  readonly title: string;
  /** The migration tag that creates the objects it needs (e.g. OPT3): a variant below it cannot use the route. */
  readonly requires: string;
  /**
   * Whether it returns the base query's answer at the moment it runs, with the scenario's writes going
   * on (same rows; column encodings may differ, e.g. GeoJSON for WKB). Only a `live` route can be
   * exact; test/integration/queries.test.ts checks every exact route against its base query after
   * W1-style inserts inside the queried windows.
   */
  readonly exact: boolean;
  readonly freshness: RouteFreshness;
  /**
   * Parameterized SQL taking the base type's parameters ($1, $2, … in the same order). Unqualified
   * names: the load connections' search_path is `<variant schema>, <variant schema>_api, public`.
   */
  readonly sql: string;
}
