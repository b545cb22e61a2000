/**
 * EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) output back to the plan tree as PostgreSQL's
 * text format prints it (`->` arrows, cost and actual time per node, conditions, buffers), so the
 * report shows a plan a reader recognises instead of raw JSON. Pure; not every rare node property
 * is printed, but every node is.
 */
import type { ExplainJson, ExplainResult, PlanNode } from '../evidence/plan-summary.ts';

const AGG_NAMES: Readonly<Record<string, string>> = { Plain: 'Aggregate', Sorted: 'GroupAggregate', Hashed: 'HashAggregate', Mixed: 'MixedAggregate' };
const JOINS = new Set(['Nested Loop', 'Hash Join', 'Merge Join']);

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const list = (v: unknown): string | null => (Array.isArray(v) ? v.map(String).join(', ') : str(v));

/** The node's headline, e.g. `Index Scan using geometrias_geom_gist on geobench.geometrias g`. */
export function nodeTitle(n: PlanNode): string {
  const type = n['Node Type'];
  let name = type;
  if (type === 'Aggregate') name = AGG_NAMES[String(n.Strategy)] ?? type;
  if (type === 'ModifyTable') name = str(n.Operation) ?? type;
  if (JOINS.has(type) && str(n['Join Type']) && n['Join Type'] !== 'Inner') {
    name = type === 'Nested Loop' ? `Nested Loop ${n['Join Type']} Join` : type.replace(' Join', ` ${n['Join Type']} Join`);
  }
  const partial = str(n['Partial Mode']);
  if (partial && partial !== 'Simple') name = `${partial} ${name}`;
  if (n['Parallel Aware'] === true) name = `Parallel ${name}`;
  if ((type === 'Index Scan' || type === 'Index Only Scan') && n['Scan Direction'] === 'Backward') name += ' Backward';
  const index = str(n['Index Name']);
  if (index) name += type === 'Bitmap Index Scan' ? ` on ${index}` : ` using ${index}`;
  const relation = str(n['Relation Name']) ?? str(n['Function Name']) ?? str(n['CTE Name']);
  if (relation) {
    const schema = str(n.Schema);
    const alias = str(n.Alias);
    name += ` on ${schema ? `${schema}.` : ''}${relation}${alias && alias !== relation ? ` ${alias}` : ''}`;
  } else if (type === 'Subquery Scan' && str(n.Alias)) {
    name += ` on ${n.Alias}`;
  }
  return name;
}

function costs(n: PlanNode): string {
  let s = '';
  const sc = num(n['Startup Cost']);
  const tc = num(n['Total Cost']);
  if (sc !== null && tc !== null) s += `  (cost=${sc.toFixed(2)}..${tc.toFixed(2)} rows=${num(n['Plan Rows']) ?? 0} width=${num(n['Plan Width']) ?? 0})`;
  const loops = num(n['Actual Loops']);
  if (loops === 0) s += ' (never executed)';
  else if (loops !== null) s += ` (actual time=${(num(n['Actual Startup Time']) ?? 0).toFixed(3)}..${(num(n['Actual Total Time']) ?? 0).toFixed(3)} rows=${num(n['Actual Rows']) ?? 0} loops=${loops})`;
  return s;
}

function buffers(n: PlanNode | Record<string, unknown>): string | null {
  const parts: string[] = [];
  for (const scope of ['Shared', 'Local', 'Temp'] as const) {
    const kinds = scope === 'Temp' ? ['Read', 'Written'] : ['Hit', 'Read', 'Dirtied', 'Written'];
    const items = kinds.map((k) => [k.toLowerCase(), num(n[`${scope} ${k} Blocks`])] as const).filter(([, v]) => v !== null && v > 0);
    if (items.length) parts.push(`${scope.toLowerCase()} ${items.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  return parts.length ? parts.join(', ') : null;
}

/** The property lines of a node, in the order PostgreSQL prints them. */
export function nodeDetails(n: PlanNode): string[] {
  const out: string[] = [];
  const add = (label: string, value: string | null): void => void (value !== null && out.push(`${label}: ${value}`));
  add('Output', list(n.Output));
  add('Group Key', list(n['Group Key']));
  add('Sort Key', list(n['Sort Key']));
  for (const k of ['Index Cond', 'Order By', 'Recheck Cond', 'Hash Cond', 'Merge Cond', 'Join Filter']) add(k, str(n[k]));
  // Like the text format, counts of removed rows / pruned subplans are printed only when not zero.
  const positive = (k: string): void => {
    const v = num(n[k]);
    if (v !== null && v > 0) add(k, String(v));
  };
  positive('Rows Removed by Join Filter');
  add('Filter', str(n.Filter));
  positive('Rows Removed by Filter');
  positive('Rows Removed by Index Recheck');
  if (num(n['Heap Fetches']) !== null) add('Heap Fetches', String(n['Heap Fetches']));
  positive('Subplans Removed');
  for (const k of ['Workers Planned', 'Workers Launched']) if (num(n[k]) !== null) add(k, String(n[k]));
  if (str(n['Sort Method'])) out.push(`Sort Method: ${n['Sort Method']}  ${n['Sort Space Type'] ?? 'Memory'}: ${n['Sort Space Used'] ?? '?'}kB`);
  if (num(n['HashAgg Batches']) !== null) out.push(`Batches: ${n['HashAgg Batches']}  Memory Usage: ${n['Peak Memory Usage'] ?? '?'}kB${num(n['Disk Usage']) ? `  Disk Usage: ${n['Disk Usage']}kB` : ''}`);
  if (num(n['Hash Buckets']) !== null) out.push(`Buckets: ${n['Hash Buckets']}  Batches: ${n['Hash Batches'] ?? '?'}  Memory Usage: ${n['Peak Memory Usage'] ?? '?'}kB`);
  if (num(n['Exact Heap Blocks']) !== null || num(n['Lossy Heap Blocks']) !== null) out.push(`Heap Blocks: exact=${n['Exact Heap Blocks'] ?? 0} lossy=${n['Lossy Heap Blocks'] ?? 0}`);
  add('Buffers', buffers(n));
  const ioRead = num(n['I/O Read Time']);
  const ioWrite = num(n['I/O Write Time']);
  if ((ioRead ?? 0) > 0 || (ioWrite ?? 0) > 0) out.push(`I/O Timings: shared read=${(ioRead ?? 0).toFixed(3)} write=${(ioWrite ?? 0).toFixed(3)}`);
  return out;
}

function walk(n: PlanNode, depth: number, lines: string[]): void {
  const header = depth === 0 ? '' : ' '.repeat(2 + 6 * (depth - 1));
  const detail = ' '.repeat(depth === 0 ? 2 : 2 + 6 * depth);
  if (depth > 0 && str(n['Subplan Name'])) lines.push(`${header}${n['Subplan Name']}`);
  lines.push(`${header}${depth === 0 ? '' : '->  '}${nodeTitle(n)}${costs(n)}`);
  for (const d of nodeDetails(n)) lines.push(`${detail}${d}`);
  for (const child of n.Plans ?? []) walk(child, depth + 1, lines);
}

/** One statement's plan as text, with planning and execution time. */
export function explainResultText(entry: ExplainResult): string {
  const lines: string[] = [];
  walk(entry.Plan, 0, lines);
  const planning = entry.Planning as Record<string, unknown> | undefined;
  const planningBuffers = planning ? buffers(planning) : null;
  if (planningBuffers) lines.push('Planning:', `  Buffers: ${planningBuffers}`);
  if (num(entry['Planning Time']) !== null) lines.push(`Planning Time: ${(entry['Planning Time'] as number).toFixed(3)} ms`);
  for (const t of Array.isArray(entry.Triggers) ? (entry.Triggers as Array<Record<string, unknown>>) : []) {
    lines.push(`Trigger ${t['Trigger Name'] ?? '?'}: time=${num(t.Time)?.toFixed(3) ?? '?'} calls=${t.Calls ?? '?'}`);
  }
  if (num(entry['Execution Time']) !== null) lines.push(`Execution Time: ${(entry['Execution Time'] as number).toFixed(3)} ms`);
  return lines.join('\n');
}

/** The whole EXPLAIN output (one entry per statement) as text. */
export function explainText(plan: ExplainJson): string {
  return plan.map(explainResultText).join('\n\n');
}
