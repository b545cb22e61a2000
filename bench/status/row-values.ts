/** Pure conversions of catalog rows for `geobench status` (docs/status.md): no I/O, unit-tested. */
import { assertOwnSchema } from '../db/schema.ts';
import type { StatusRow } from '../migrate/runner.ts';
import type { MigrationStatus, PartitionStatus } from './model.ts';

/** A catalog number (bigint text, numeric or null) as an integer; null counts as 0. */
export const int = (v: unknown): number => (v === null || v === undefined ? 0 : Math.round(Number(v)));
/** A catalog timestamp as ISO text (null stays null). */
export const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : new Date(String(v)).toISOString());
export const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));


/**
 * A relation's row estimate from the reltuples of its leaves (a plain table is its own leaf):
 * reltuples = -1 means never vacuumed or analyzed, i.e. unknown. Returns the sum of the known
 * estimates (null when none is known; 0 for a partitioned table without partitions).
 */
export function rowEstimateOf(knownSum: number, unknownLeaves: number, leaves: number): { rowEstimate: number | null; complete: boolean } {
  if (leaves > 0 && unknownLeaves >= leaves) return { rowEstimate: null, complete: false };
  return { rowEstimate: Math.max(0, Math.round(knownSum)), complete: unknownLeaves === 0 };
}

/**
 * Orders a partition tree depth first from its root: each parent followed by its children,
 * siblings by name with DEFAULT partitions last. Pure.
 */
export function orderPartitions(root: string, rows: readonly PartitionStatus[]): PartitionStatus[] {
  const byParent = new Map<string, PartitionStatus[]>();
  for (const r of rows) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const isDefault = (p: PartitionStatus): number => (p.bound === 'DEFAULT' ? 1 : 0);
  const out: PartitionStatus[] = [];
  const seen = new Set<string>();
  const visit = (parent: string): void => {
    const children = [...(byParent.get(parent) ?? [])].sort((a, b) => isDefault(a) - isDefault(b) || a.name.localeCompare(b.name));
    for (const c of children) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      out.push(c);
      visit(c.name);
    }
  };
  visit(root);
  // Anything not reachable from the root (cannot happen with pg_partition_tree) is kept, at the end.
  for (const r of rows) if (!seen.has(r.name)) out.push(r);
  return out;
}

/**
 * The bare view name a refresh-log row refers to: `vw_x`, `schema.vw_x` or `"schema"."vw_x"`
 * (regclass text) all name `vw_x` of `schema`; a name qualified with another schema names nothing
 * here (null). Pure.
 */
export function bareViewName(raw: string, schema: string): string | null {
  const parts = raw.trim().match(/("([^"]|"")*"|[^.]+)/g)?.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.toLowerCase())) ?? [];
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2 && parts[0] === schema) return parts[1]!;
  return null;
}

/** The regular expression (ARE, case-insensitive) for a cron command that names `schema` as a whole word. */
export function schemaWordPattern(schema: string): string {
  return `(^|[^a-z0-9_$])${assertOwnSchema(schema)}([^a-z0-9_$]|$)`;
}

/** migrationStatus rows (the ledger against sql/) as JSON-ready values. */
export function toMigrationStatus(rows: readonly StatusRow[]): MigrationStatus[] {
  return rows.map((r) => ({
    tag: r.tag,
    file: r.file,
    state: r.state,
    appliedAt: r.appliedAt ? r.appliedAt.toISOString() : null,
    durationMs: r.durationMs === undefined || !Number.isFinite(r.durationMs) ? null : Math.round(r.durationMs),
  }));
}
