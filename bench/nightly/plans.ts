/**
 * Plan-change detection. The fingerprint of a query type's plan is the plan summary's `shape`
 * (node types with their structural qualifiers, index names, relations — so partitions pruned at
 * plan time show as partitions missing under an Append; see bench/evidence/plan-summary.ts) plus
 * the number of subplans removed by run-time pruning, compared in canonical form (the children of
 * Append-like nodes sorted: a Parallel Append lists its subplans by estimated cost, which moves
 * with every ANALYZE without the plan changing). Pure.
 *
 * A plan changed when its fingerprint differs from the most recent comparable good run's AND from
 * every fingerprint in the history window (a plan that flips between two shapes the history has
 * seen is not news). One comparable run is enough to judge a plan.
 */
export type { PlanFingerprint, PlanVerdict } from '../formats/nightly-judgement.ts';
import type { PlanFingerprint, PlanVerdict } from '../formats/nightly-judgement.ts';

/** The plan fingerprints recorded in a result's variants[].plans. */
export function planFingerprints(variants: ReadonlyArray<{ readonly name: string; readonly plans: Readonly<Record<string, { summary: unknown }>> }>): PlanFingerprint[] {
  const out: PlanFingerprint[] = [];
  for (const v of variants) {
    for (const [queryType, p] of Object.entries(v.plans ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const s = p.summary as { shape?: unknown; subplansRemoved?: unknown } | null;
      if (!s || typeof s.shape !== 'string') continue;
      out.push({ variant: v.name, queryType, shape: s.shape, runtimePruned: typeof s.subplansRemoved === 'number' ? s.subplansRemoved : 0 });
    }
  }
  return out;
}

const sameFingerprint = (a: PlanFingerprint, b: PlanFingerprint): boolean => a.runtimePruned === b.runtimePruned && (a.shape === b.shape || canonicalShape(a.shape) === canonicalShape(b.shape));

/** A node of a parsed shape: its own text and its children. */
export interface ShapeNode {
  readonly label: string;
  readonly children: readonly ShapeNode[];
}

/**
 * Parses a shape string (`Limit(Append(Index Scan using i on t, …))`) into its node tree. Commas
 * and parentheses inside [qualifiers] do not split.
 */
export function parseShape(shape: string): ShapeNode[] {
  const root: { label: string; children: ShapeNode[] } = { label: '', children: [] };
  const stack: Array<{ label: string; children: ShapeNode[] }> = [root];
  let current: { label: string; children: ShapeNode[] } | null = null;
  let text = '';
  let brackets = 0;
  const flush = (): void => {
    const t = text.trim();
    text = '';
    if (!t) return;
    current = { label: t, children: [] };
    stack[stack.length - 1]!.children.push(current);
  };
  for (let i = 0; i < shape.length; i++) {
    const c = shape[i]!;
    if (c === '[') brackets++;
    if (c === ']') brackets = Math.max(0, brackets - 1);
    if (brackets > 0 || c === ']') {
      text += c;
      continue;
    }
    if (c === '(') {
      flush();
      if (current) stack.push(current);
      current = null;
    } else if (c === ')') {
      flush();
      if (stack.length > 1) stack.pop();
      current = null;
    } else if (c === ',' && shape[i + 1] === ' ') {
      flush();
      current = null;
      i++;
    } else text += c;
  }
  flush();
  return root.children;
}

const serialize = (n: ShapeNode): string => `${n.label}${n.children.length ? `(${n.children.map(serialize).join(', ')})` : ''}`;

/** Append-like nodes whose children order carries no structure (Parallel Append orders by cost). */
const UNORDERED = /^(Parallel )?(Merge )?Append\b/;

/**
 * The canonical form of a shape: children of Append, Parallel Append and Merge Append sorted, so a
 * cost-ordered Parallel Append whose partitions swap places after an ANALYZE is the same plan.
 */
export function canonicalShape(shape: string): string {
  const canon = (n: ShapeNode): ShapeNode => {
    const children = n.children.map(canon);
    return { label: n.label, children: UNORDERED.test(n.label) ? [...children].sort((a, b) => (serialize(a) < serialize(b) ? -1 : serialize(a) > serialize(b) ? 1 : 0)) : children };
  };
  return parseShape(shape).map(canon).map(serialize).join(', ');
}

/** A shape as indented node lines, one node a line. */
export function shapeTree(shape: string): string[] {
  const out: string[] = [];
  const walk = (n: ShapeNode, depth: number): void => {
    out.push(`${'  '.repeat(depth)}${n.label}`);
    for (const c of n.children) walk(c, depth + 1);
  };
  for (const n of parseShape(shape)) walk(n, 0);
  return out;
}

/** The node-tree lines of a fingerprint (canonical order), with run-time pruning as a last line. */
export function fingerprintLines(f: PlanFingerprint): string[] {
  const lines = shapeTree(canonicalShape(f.shape));
  if (f.runtimePruned > 0) lines.push(`(run-time pruning removed ${f.runtimePruned} subplans)`);
  return lines;
}

/** Longest-common-subsequence line diff: every line of both, prefixed "- " (old), "+ " (new) or "  ". */
export function diffLines(oldLines: readonly string[], newLines: readonly string[]): string[] {
  const n = oldLines.length;
  const m = newLines.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = oldLines[i] === newLines[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && oldLines[i] === newLines[j]) {
      out.push(`  ${oldLines[i]}`);
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push(`+ ${newLines[j]}`);
      j++;
    } else {
      out.push(`- ${oldLines[i]}`);
      i++;
    }
  }
  return out;
}

/**
 * Judges every plan of the current run against the history runs' plans (most recent first).
 * @param history per history run: its id and its fingerprints
 */
export function judgePlans(current: readonly PlanFingerprint[], history: ReadonlyArray<{ readonly runId: string; readonly plans: readonly PlanFingerprint[] }>): PlanVerdict[] {
  const out: PlanVerdict[] = [];
  for (const c of current) {
    const seen = history
      .map((h) => ({ runId: h.runId, plan: h.plans.find((p) => p.variant === c.variant && p.queryType === c.queryType) }))
      .filter((x): x is { runId: string; plan: PlanFingerprint } => x.plan !== undefined);
    const latest = seen[0];
    if (!latest) {
      out.push({ variant: c.variant, queryType: c.queryType, status: 'not-enough-history', current: c, previous: null, diff: [], reason: 'no comparable run captured this plan' });
      continue;
    }
    const previous = { ...latest.plan, runId: latest.runId };
    if (sameFingerprint(c, latest.plan)) {
      out.push({ variant: c.variant, queryType: c.queryType, status: 'unchanged', current: c, previous, diff: [], reason: `same plan as ${latest.runId}` });
      continue;
    }
    const known = seen.find((s) => sameFingerprint(c, s.plan));
    const diff = diffLines(fingerprintLines(latest.plan), fingerprintLines(c));
    if (known) {
      out.push({ variant: c.variant, queryType: c.queryType, status: 'unchanged', current: c, previous, diff, reason: `differs from ${latest.runId} but matches ${known.runId} (a plan the history has seen)` });
    } else {
      out.push({ variant: c.variant, queryType: c.queryType, status: 'changed', current: c, previous, diff, reason: `plan differs from ${latest.runId} and from every plan of the last ${seen.length} comparable run${seen.length === 1 ? '' : 's'}` });
    }
  }
  // A plan the history had but this run did not capture (e.g. the run was cut short).
  const latestRun = history[0];
  if (latestRun) {
    for (const p of latestRun.plans) {
      if (!current.some((c) => c.variant === p.variant && c.queryType === p.queryType)) {
        out.push({ variant: p.variant, queryType: p.queryType, status: 'not-captured', current: null, previous: { ...p, runId: latestRun.runId }, diff: [], reason: 'no plan captured in this run' });
      }
    }
  }
  return out;
}
