import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explainText, nodeTitle } from '../../bench/report/plan-text.ts';
import type { PlanNode } from '../../bench/evidence/plan-summary.ts';

const node = (p: Record<string, unknown>): PlanNode => p as unknown as PlanNode;

test('node titles as PostgreSQL prints them', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ 'Node Type': 'Seq Scan', 'Relation Name': 'geometrias', Schema: 'g', Alias: 'geometrias' }, 'Seq Scan on g.geometrias'],
    [{ 'Node Type': 'Index Scan', 'Index Name': 'gi', 'Relation Name': 'geometrias_p2024_01', Alias: 'geometrias_1', 'Scan Direction': 'Backward' }, 'Index Scan Backward using gi on geometrias_p2024_01 geometrias_1'],
    [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'gi' }, 'Bitmap Index Scan on gi'],
    [{ 'Node Type': 'Aggregate', Strategy: 'Hashed', 'Partial Mode': 'Simple' }, 'HashAggregate'],
    [{ 'Node Type': 'Aggregate', Strategy: 'Plain', 'Partial Mode': 'Finalize' }, 'Finalize Aggregate'],
    [{ 'Node Type': 'Seq Scan', 'Parallel Aware': true, 'Relation Name': 't' }, 'Parallel Seq Scan on t'],
    [{ 'Node Type': 'Hash Join', 'Join Type': 'Left' }, 'Hash Left Join'],
    [{ 'Node Type': 'Nested Loop', 'Join Type': 'Anti' }, 'Nested Loop Anti Join'],
    [{ 'Node Type': 'ModifyTable', Operation: 'Insert', 'Relation Name': 'geometrias', Schema: 's' }, 'Insert on s.geometrias'],
  ];
  for (const [n, expected] of cases) assert.is(nodeTitle(node(n)), expected);
});

test('a plan tree as text: arrows, indentation, costs, actuals, conditions, buffers, timings', () => {
  const text = explainText([{
    Plan: node({
      'Node Type': 'Limit', 'Startup Cost': 0.15, 'Total Cost': 27.37, 'Plan Rows': 1, 'Plan Width': 12, 'Actual Startup Time': 0.141, 'Actual Total Time': 0.24, 'Actual Rows': 4, 'Actual Loops': 1,
      Output: ['id', 'layer_id'], 'Shared Hit Blocks': 30, 'Shared Read Blocks': 2,
      Plans: [
        { 'Node Type': 'Index Scan', 'Index Name': 'gi', 'Relation Name': 'geometrias', Alias: 'geometrias', 'Startup Cost': 0.15, 'Total Cost': 27.37, 'Plan Rows': 1, 'Plan Width': 12, 'Actual Startup Time': 0.14, 'Actual Total Time': 0.239, 'Actual Rows': 4, 'Actual Loops': 1, 'Index Cond': '(geom && $1)', Filter: 'st_intersects(geom, $1)', 'Rows Removed by Filter': 0, 'Rows Removed by Index Recheck': 3 },
        { 'Node Type': 'Seq Scan', 'Relation Name': 'other', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1, 'Plan Width': 4, 'Actual Loops': 0, 'Subplan Name': 'SubPlan 1' },
      ],
    }),
    Planning: { 'Shared Hit Blocks': 21 },
    'Planning Time': 0.5,
    'Execution Time': 0.279,
  }]);
  assert.is(text, [
    'Limit  (cost=0.15..27.37 rows=1 width=12) (actual time=0.141..0.240 rows=4 loops=1)',
    '  Output: id, layer_id',
    '  Buffers: shared hit=30 read=2',
    '  ->  Index Scan using gi on geometrias  (cost=0.15..27.37 rows=1 width=12) (actual time=0.140..0.239 rows=4 loops=1)',
    '        Index Cond: (geom && $1)',
    '        Filter: st_intersects(geom, $1)',
    '        Rows Removed by Index Recheck: 3',
    '  SubPlan 1',
    '  ->  Seq Scan on other  (cost=0.00..1.00 rows=1 width=4) (never executed)',
    'Planning:',
    '  Buffers: shared hit=21',
    'Planning Time: 0.500 ms',
    'Execution Time: 0.279 ms',
  ].join('\n'));
});

test.run();
