import type pg from 'pg';
import { parseExplainText } from './explain.ts';
import type { ExplainJson } from './plan-summary.ts';
import { unavailable, type Unavailable } from './unavailable.ts';

/**
 * The pg_stat_statements identity of the workload's statements in one schema variant.
 *
 * pg_stat_statements keys an entry by (userid, dbid, queryid, toplevel). The queryid is a hash of
 * the analyzed statement, so it includes the OIDs of the tables and functions it resolved: the same
 * text run with another search_path (another variant) has another queryid, and a statement's text
 * never has to be compared. PostgreSQL 15 prints the queryid with EXPLAIN (VERBOSE) ("Query
 * Identifier") when compute_query_id is on (auto enables it when pg_stat_statements is loaded).
 * EXPLAIN without ANALYZE does not execute the statement, so it adds no call to any entry.
 */
export interface StatementIds {
  readonly available: true;
  /** OID of the role the statements run as (pg_stat_statements.userid). */
  readonly userId: string;
  /** Query type → queryid (int64 as a decimal string). */
  readonly byType: Readonly<Record<string, string>>;
}

/** One statement to identify: its SQL and a parameter set like the workload's. */
export interface StatementToIdentify {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The "Query Identifier" of an EXPLAIN (VERBOSE, FORMAT JSON) result, or null when it has none. Pure. */
export function queryIdOf(plan: ExplainJson): string | null {
  const id = (plan[0] as { 'Query Identifier'?: unknown } | undefined)?.['Query Identifier'];
  if (id === undefined || id === null || String(id) === '0') return null;
  return String(id);
}

/**
 * Queryids of `statements` as `client` runs them: call it on a connection with the variant's
 * search_path and the workers' role, and with parameters bound the way the workers bind them
 * (unspecified types, so the server infers the same parameter types).
 */
export async function identifyStatements(client: pg.Client, statements: Readonly<Record<string, StatementToIdentify>>): Promise<StatementIds | Unavailable> {
  const user = await client.query<{ oid: string }>(`SELECT oid::text AS oid FROM pg_roles WHERE rolname = current_user`);
  const byType: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [type, { sql, params }] of Object.entries(statements)) {
    // Fetched as text: the driver's JSON.parse would round the int64 identifier.
    const res = await client.query<{ 'QUERY PLAN': string }>({
      text: `EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`,
      values: [...params],
      types: { getTypeParser: () => (value: string) => value },
    });
    const id = queryIdOf(parseExplainText(String(res.rows[0]?.['QUERY PLAN'] ?? '[]')));
    if (id === null) return unavailable('EXPLAIN (VERBOSE) prints no Query Identifier: compute_query_id is off (set it to on or auto with pg_stat_statements loaded)');
    // Two types with one queryid could not be told apart in pg_stat_statements.
    if (seen.has(id)) return unavailable(`query types ${seen.get(id)} and ${type} have the same queryid ${id}: their calls cannot be told apart`);
    seen.set(id, type);
    byType[type] = id;
  }
  return { available: true, userId: user.rows[0]?.oid ?? '0', byType };
}
