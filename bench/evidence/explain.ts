import type pg from 'pg';
import type { ExplainJson } from './plan-summary.ts';

export { summarizePlan, type ExplainJson, type PlanNode, type PlanSummary } from './plan-summary.ts';

/**
 * Parses the text of an EXPLAIN (FORMAT JSON) output, keeping "Query Identifier" exact as a
 * string (it is an int64; as a JS number it would be rounded and no longer match
 * pg_stat_statements.queryid). Pure.
 */
export function parseExplainText(text: string): ExplainJson {
  const plan: unknown = JSON.parse(text.replace(/("Query Identifier":\s*)(-?\d+)/g, '$1"$2"'));
  if (!Array.isArray(plan)) throw new Error('EXPLAIN (FORMAT JSON) output is not an array');
  return plan as ExplainJson;
}

/**
 * Runs `EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) <sql>` with `params` bound and returns
 * the plan as PostgreSQL printed it (the parsed JSON array).
 *
 * ANALYZE really executes the statement, so it runs inside `BEGIN … ROLLBACK`: an INSERT, UPDATE
 * or DELETE (and its triggers) is undone and leaves no row behind. Not undone: sequence values
 * consumed (nextval is never rolled back) and statistics counters (pg_stat_*, and
 * pg_stat_statements records the EXPLAIN and, as a nested statement, the query itself).
 *
 * With parameters bound the planner sees their values, as for the workload's unnamed statements:
 * the plan is a custom plan, with partitions pruned at plan time where the values allow it.
 * `client` must not be inside a transaction (the ROLLBACK would end the caller's transaction).
 */
export async function explainAnalyze(client: pg.Client, sql: string, params: readonly unknown[] = []): Promise<ExplainJson> {
  const status = client.getTransactionStatus();
  if (status !== 'I' && status !== null) {
    throw new Error(`explainAnalyze needs a connection outside a transaction (status ${status}): its ROLLBACK would end the caller's transaction`);
  }
  await client.query('BEGIN');
  let plan: ExplainJson;
  try {
    // Fetched as text: the driver's JSON.parse would round "Query Identifier" (an int64).
    const res = await client.query<{ 'QUERY PLAN': string }>({
      text: `EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) ${sql}`,
      values: [...params],
      types: { getTypeParser: () => (value: string) => value },
    });
    const text = res.rows[0]?.['QUERY PLAN'];
    if (typeof text !== 'string') throw new Error('EXPLAIN returned no JSON plan');
    plan = parseExplainText(text);
  } catch (err) {
    // The statement's error is the one to report, not a failing ROLLBACK on a broken connection.
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  await client.query('ROLLBACK');
  return plan;
}
