/**
 * Query types that stand for one OPT3 RPC function each (opt3's "RPC latency vs baseline" KPI and
 * the direct-SQL twin of the HTTP load). The base SQL is the function's base-table equivalent:
 * the same rows and columns from `geometrias`, each as the JSON text the API sends for a row;
 * route `rpc` is the function call as `geobench rpc serve` sends it (bench/rpc/catalog.ts
 * buildCall; unqualified here, the load connections' search_path finds the API schema). Both take
 * the same parameters, drawn by the same generator the HTTP load uses, and page at the API's
 * default (100 rows: max_rows is left out, as a client calling the API would).
 */
import type { Rng } from './sampling.ts';
import type { QueryType, RouteFreshness } from './types.ts';

/** One named argument of the call, with its type as format_type() prints it (what buildCall casts to). */
export interface RpcArg {
  readonly name: string;
  readonly type: string;
}

/** The API's page size when max_rows is not given (the functions' DEFAULT 100). */
export const RPC_DEFAULT_PAGE = 100;

/** A query type standing for one RPC function. */
export interface RpcQueryType extends QueryType {
  readonly fn: string;
  /** The named arguments in call order ($1 = the first). */
  readonly args: readonly RpcArg[];
  /** Draws one call's named arguments (without max_rows): the HTTP load sends exactly these. */
  draw(rng: Rng, totalRows: number): Record<string, unknown>;
}

/** One JSON text per row, as buildCall asks the server for them (rpc serve joins them into the response array). */
export const jsonBody = (rowsSql: string): string => `SELECT row_to_json(r.*)::text AS row FROM (${rowsSql}) AS r`;

/** The statement `rpc serve` sends for `fn` with `args`, without the schema qualifier. */
export function rpcCallSql(fn: string, args: readonly RpcArg[]): string {
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  return jsonBody(`SELECT * FROM ${q(fn)}(${args.map((a, i) => `${q(a.name)} => $${i + 1}::${a.type}`).join(', ')})`);
}

export function rpcQueryType(def: {
  name: string;
  fn: string;
  title: string;
  args: readonly RpcArg[];
  draw: RpcQueryType['draw'];
  /** The base-table equivalent returning the function's rows (same columns, order and page). */
  baseRowsSql: string;
  freshness: RouteFreshness;
}): RpcQueryType {
  return {
    name: def.name,
    fn: def.fn,
    title: def.title,
    kind: 'read',
    args: def.args,
    draw: def.draw,
    sql: jsonBody(def.baseRowsSql),
    params(rng, ctx) {
      const a = def.draw(rng, ctx.totalRows);
      return def.args.map((x) => a[x.name]);
    },
    routes: {
      rpc: {
        title: `OPT3 RPC ${def.fn} (the statement rpc serve sends)`,
        requires: 'OPT3',
        // Same rows for the live functions (validate opt3 checks them against the base table), but
        // not checked here as a whole JSON body (column order and number formatting).
        exact: false,
        freshness: def.freshness,
        sql: rpcCallSql(def.fn, def.args),
      },
    },
  };
}
