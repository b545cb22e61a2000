/**
 * Pure reading of `EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON)` output into typed evidence:
 * timings, node types, indexes and partitions used, buffers, and a plan-shape fingerprint.
 */

/** One plan node as PostgreSQL prints it; only the fields read here are typed. */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly Plans?: readonly PlanNode[];
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Shared Hit Blocks'?: number;
  readonly 'Shared Read Blocks'?: number;
  readonly 'Subplans Removed'?: number;
  readonly [key: string]: unknown;
}

/** One statement's entry of the EXPLAIN output. */
export interface ExplainResult {
  readonly Plan: PlanNode;
  readonly 'Planning Time'?: number;
  readonly 'Execution Time'?: number;
  /** pg_stat_statements' queryid of the statement; a string, as int64 does not fit a JS number. */
  readonly 'Query Identifier'?: string | number;
  readonly [key: string]: unknown;
}

/** The whole EXPLAIN (FORMAT JSON) output: an array with one entry per statement (one here). */
export type ExplainJson = readonly ExplainResult[];

export interface PlanSummary {
  readonly planningMs: number | null;
  readonly executionMs: number | null;
  /** The statement's queryid (matches pg_stat_statements.queryid), or null. */
  readonly queryId: string | null;
  /** How often each node type occurs, e.g. { "Index Scan": 3, "Append": 1 }. */
  readonly nodeTypes: Readonly<Record<string, number>>;
  /** Distinct index names used by any node, sorted. */
  readonly indexesUsed: readonly string[];
  /** Distinct relations read by scan nodes, sorted (partitions by their own name). */
  readonly relationsScanned: readonly string[];
  /** Distinct partitions of geometrias (geometrias_pYYYY_MM, geometrias_default) scanned. */
  readonly partitionsScanned: number;
  /** Sum of "Subplans Removed": partitions pruned at executor start-up (runtime pruning). */
  readonly subplansRemoved: number;
  /** Shared buffers hit / read while executing (the top node's counts include its children's). */
  readonly sharedHit: number;
  readonly sharedRead: number;
  /** Rows returned by the top node. */
  readonly rows: number;
  /** Plan-shape fingerprint, see {@link planShape}. */
  readonly shape: string;
}

const PARTITION = /^geometrias_(p\d{4}_\d{2}|default)$/;

/** Summarizes an EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output (the array or its first entry). Pure. */
export function summarizePlan(planJson: ExplainJson | ExplainResult): PlanSummary {
  const entry = Array.isArray(planJson) ? (planJson as ExplainJson)[0] : (planJson as ExplainResult);
  if (!entry || typeof entry.Plan !== 'object' || entry.Plan === null) throw new Error('not an EXPLAIN (FORMAT JSON) result: no "Plan"');
  const top = entry.Plan;
  const nodes = flatten(top);
  const nodeTypes: Record<string, number> = {};
  for (const node of nodes) nodeTypes[node['Node Type']] = (nodeTypes[node['Node Type']] ?? 0) + 1;
  const indexesUsed = distinct(nodes.map((n) => n['Index Name']));
  // Only scans read a relation; ModifyTable also names one (its target) and is left out.
  const relationsScanned = distinct(nodes.filter((n) => n['Node Type'].endsWith('Scan')).map((n) => n['Relation Name']));
  const queryId = entry['Query Identifier'];
  return {
    planningMs: entry['Planning Time'] ?? null,
    executionMs: entry['Execution Time'] ?? null,
    queryId: queryId === undefined ? null : String(queryId),
    nodeTypes,
    indexesUsed,
    relationsScanned,
    partitionsScanned: relationsScanned.filter((r) => PARTITION.test(r)).length,
    subplansRemoved: nodes.reduce((sum, n) => sum + (n['Subplans Removed'] ?? 0), 0),
    sharedHit: top['Shared Hit Blocks'] ?? 0,
    sharedRead: top['Shared Read Blocks'] ?? 0,
    rows: top['Actual Rows'] ?? 0,
    shape: planShape(top),
  };
}

/**
 * A fingerprint of the plan's structure, stable across runs of the same plan, for detecting plan
 * changes. Each node is written as
 *
 *   [InitPlan:|SubPlan:][Parallel ]<Node Type>[<qualifiers>][ using <index>][ on <relation>][(<children>, …)]
 *
 * where the qualifiers are the planner's structural choices: Strategy (Plain/Sorted/Hashed/Mixed),
 * Partial Mode when not Simple, Join Type, Operation (Insert/Update/Delete), Scan Direction when
 * Backward, Workers Planned, CTE Name and Function Name. Relations appear without their schema,
 * so the same plan in two schema variants has the same shape.
 *
 * Left out because they vary between runs or with parameter values: costs, timings, row counts,
 * loops, buffers, workers launched, sort method and memory, heap fetches, "Subplans Removed",
 * Output lists, and every condition or filter text (they embed the parameter values). Which
 * partitions appear under an Append does depend on the parameters (plan-time pruning).
 */
export function planShape(node: PlanNode): string {
  const relationship = node['Parent Relationship'];
  let s = relationship === 'InitPlan' || relationship === 'SubPlan' ? `${relationship}:` : '';
  if (node['Parallel Aware'] === true) s += 'Parallel ';
  s += node['Node Type'];
  const qualifiers = [
    node.Strategy,
    node['Partial Mode'] !== 'Simple' ? node['Partial Mode'] : undefined,
    node['Join Type'],
    node.Operation,
    node['Scan Direction'] === 'Backward' ? 'Backward' : undefined,
    node['Workers Planned'] !== undefined ? `workers=${String(node['Workers Planned'])}` : undefined,
    node['CTE Name'] !== undefined ? `cte=${String(node['CTE Name'])}` : undefined,
    node['Function Name'] !== undefined ? `function=${String(node['Function Name'])}` : undefined,
  ].filter((q): q is string | number => typeof q === 'string' || typeof q === 'number');
  if (qualifiers.length > 0) s += `[${qualifiers.join(',')}]`;
  if (node['Index Name']) s += ` using ${node['Index Name']}`;
  if (node['Relation Name']) s += ` on ${node['Relation Name']}`;
  if (node.Plans && node.Plans.length > 0) s += `(${node.Plans.map(planShape).join(', ')})`;
  return s;
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))].sort();
}
