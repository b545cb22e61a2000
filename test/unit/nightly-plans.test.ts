import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalShape, diffLines, judgePlans, shapeTree, type PlanFingerprint } from '../../bench/nightly/plans.ts';

test('shapeTree: nested nodes become indented lines; commas in qualifiers do not split', () => {
  assert.equal(shapeTree('Limit(Merge Append(Index Scan using a_idx on p1, Index Scan using b_idx on p2))'), [
    'Limit',
    '  Merge Append',
    '    Index Scan using a_idx on p1',
    '    Index Scan using b_idx on p2',
  ]);
  assert.equal(shapeTree('Aggregate[Sorted,Partial](Gather Merge[workers=2](Sort(Parallel Seq Scan on t)))'), [
    'Aggregate[Sorted,Partial]',
    '  Gather Merge[workers=2]',
    '    Sort',
    '      Parallel Seq Scan on t',
  ]);
  assert.equal(shapeTree('ModifyTable[Insert] on geometrias(Result)'), ['ModifyTable[Insert] on geometrias', '  Result']);
});

test('canonical shapes: the cost order of a Parallel Append is not a plan change; a different child is', () => {
  const a = 'Gather[workers=2](Parallel Append(Parallel Seq Scan on p2, Parallel Seq Scan on p1))';
  const b = 'Gather[workers=2](Parallel Append(Parallel Seq Scan on p1, Parallel Seq Scan on p2))';
  assert.is(canonicalShape(a), canonicalShape(b));
  assert.is(judgePlans([fp(a)], [{ runId: 'n1', plans: [fp(b)] }])[0]!.status, 'unchanged');
  // Order under other nodes (a join's outer/inner side) is structure.
  assert.is.not(canonicalShape('Nested Loop[Inner](Seq Scan on a, Index Scan using b_pkey on b)'), canonicalShape('Nested Loop[Inner](Index Scan using b_pkey on b, Seq Scan on a)'));
  assert.is(judgePlans([fp('Gather[workers=2](Parallel Append(Parallel Seq Scan on p1))')], [{ runId: 'n1', plans: [fp(b)] }])[0]!.status, 'changed');
});

test('diffLines: unchanged lines kept, removed and added marked', () => {
  assert.equal(diffLines(['Limit', '  Index Scan using g on t'], ['Limit', '  Sort', '    Seq Scan on t']), [
    '  Limit',
    '+   Sort',
    '+     Seq Scan on t',
    '-   Index Scan using g on t',
  ]);
  assert.equal(diffLines(['a', 'b'], ['a', 'b']), ['  a', '  b']);
});

const fp = (shape: string, runtimePruned = 0): PlanFingerprint => ({ variant: 'opt1', queryType: 'Q6', shape, runtimePruned });

test('judgePlans: a new shape is a change with a diff; a shape the history has seen is not', () => {
  const A = 'Append(Index Scan using p1_idx on p1, Index Scan using p2_idx on p2)';
  const B = 'Append(Index Scan using p2_idx on p2)';
  const history = [
    { runId: 'n3', plans: [fp(A)] },
    { runId: 'n2', plans: [fp(B)] },
    { runId: 'n1', plans: [fp(A)] },
  ];
  const same = judgePlans([fp(A)], history)[0]!;
  assert.is(same.status, 'unchanged');
  assert.equal(same.diff, []);
  const known = judgePlans([fp(B)], history)[0]!;
  assert.is(known.status, 'unchanged');
  assert.match(known.reason, /matches n2/);
  const C = 'Append(Seq Scan on p1, Seq Scan on p2)';
  const changed = judgePlans([fp(C)], history)[0]!;
  assert.is(changed.status, 'changed');
  assert.is(changed.previous!.runId, 'n3');
  assert.equal(changed.diff, ['  Append', '+   Seq Scan on p1', '+   Seq Scan on p2', '-   Index Scan using p1_idx on p1', '-   Index Scan using p2_idx on p2']);
  // Run-time pruning is part of the fingerprint.
  const pruned = judgePlans([fp(A, 3)], history)[0]!;
  assert.is(pruned.status, 'changed');
  assert.ok(pruned.diff.includes('+ (run-time pruning removed 3 subplans)'));
  // No history → not judged; a plan the last run had and this one lacks → not captured.
  assert.is(judgePlans([fp(A)], [])[0]!.status, 'not-enough-history');
  const lost = judgePlans([], history);
  assert.is(lost[0]!.status, 'not-captured');
});

test.run();
