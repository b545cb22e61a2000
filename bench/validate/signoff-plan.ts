/**
 * The plan of a sign-off (or one validator, or the main job) before it starts: every step with the
 * time and the disk it will take at the chosen scale, from measured rates (plan-rates.ts), walking
 * the validators' steps (plan-steps.ts) over the schemas' states as they are now on the server and
 * as the plan changes them (a schema already in the wanted state is reused: 0 s, 0 bytes). Then the
 * disk check: the peak additional disk plus WAL headroom against the free space. Pure.
 */
import { ROWS_AT_SCALE_1 } from '../dataset/model.ts';
import type { StepRates } from '../core/step-rates.ts';
import { estimateStep, type RateEstimate } from './plan-rates.ts';
import { ASSUMED, type PlanOp, type PlanSettings } from './plan-steps.ts';

/** What the server holds now in one schema (read-only, the checks prepareSchema makes). */
export interface SchemaNow {
  /** The dataset is complete and the wanted one (prepareSchema keeps it and migrates from there). */
  readonly reusable: boolean;
  /** Catalog index of the last applied migration (−1 = baseline only). */
  readonly at: number;
  /** Bytes of its relations now. */
  readonly bytes: number;
}

export interface PlanRow {
  /** The validator (or 'main job') the step belongs to. */
  readonly part: string;
  readonly step: string;
  readonly what: string;
  /** null: no figure to estimate from (counted as 0 in the totals, and said so). */
  readonly seconds: number | null;
  /** Change of the disk in use once the step is done. */
  readonly diskBytes: number;
  /** Disk in use above the start while the step runs (a rewriting migration keeps the old copy until it commits). */
  readonly peakBytes: number;
  readonly source: string;
}

export interface PlanPart {
  readonly part: string;
  readonly ops: readonly PlanOp[];
}

interface Walk {
  readonly schemas: Map<string, SchemaNow>;
  /** Schemas the plan has already built, migrated or shown as reused (not shown as reused again). */
  readonly touched: Set<string>;
  readonly rows: PlanRow[];
  inUse: number;
}

/** The time's source, and the size's when the step changes the disk and that figure came from elsewhere. */
const sources = (time: string, size: RateEstimate, diskBytes: number): string => (diskBytes !== 0 && size.source !== time ? `${time}; size: ${size.source}` : time);

const stateName = (tags: readonly string[], at: number): string => (at < 0 ? 'baseline' : tags[at]!);

/** Bytes of a schema at state `at`: its own figure, else the nearest earlier state's. */
function sizeAt(rates: StepRates, tags: readonly string[], at: number, rows: number): RateEstimate {
  for (let i = at; i >= -1; i--) {
    const e = estimateStep(rates, `size.${stateName(tags, i)}`, 'bytes', rows);
    if (e.value !== null) return i === at ? e : { value: e.value, source: `as ${stateName(tags, i)}: ${e.source}` };
  }
  return { value: 0, source: 'no size figure' };
}

function push(w: Walk, row: Omit<PlanRow, 'peakBytes'>, transientBytes = 0): void {
  const peakBytes = w.inUse + Math.max(0, row.diskBytes) + transientBytes;
  w.inUse += row.diskBytes;
  w.rows.push({ ...row, peakBytes });
}

function migrateRows(w: Walk, part: string, schema: string, to: number, tags: readonly string[], rates: StepRates, rows: number): void {
  const now = w.schemas.get(schema)!;
  const up = to > now.at;
  for (let at = now.at; at !== to; up ? at++ : at--) {
    const tag = tags[up ? at + 1 : at]!;
    const next = up ? at + 1 : at - 1;
    let time = estimateStep(rates, `migrate.${up ? 'up' : 'down'}.${tag}`, 'seconds', rows);
    if (time.value === null && !up) {
      const apply = estimateStep(rates, `migrate.up.${tag}`, 'seconds', rows);
      time = { value: apply.value, source: `no rollback measured: as its apply, ${apply.source}` };
    }
    const before = w.schemas.get(schema)!.bytes;
    const size = sizeAt(rates, tags, next, rows);
    push(w, { part, step: `${tag} ${up ? 'up' : 'down'}`, what: `${schema} → ${stateName(tags, next)}`, seconds: time.value, diskBytes: size.value! - before, source: sources(time.source, size, size.value! - before) }, before);
    w.schemas.set(schema, { reusable: true, at: next, bytes: size.value! });
    w.touched.add(schema);
  }
}

function buildRows(w: Walk, part: string, schema: string, s: PlanSettings, tags: readonly string[], rates: StepRates): void {
  const old = w.schemas.get(schema)?.bytes ?? 0;
  const size = sizeAt(rates, tags, -1, s.rows);
  if (s.imported) {
    const copy = estimateStep(rates, 'clone.copy', 'seconds', s.rows);
    push(w, { part, step: 'copy import', what: `${schema} (imported dataset, INSERT … SELECT)`, seconds: copy.value, diskBytes: size.value! - old, source: sources(copy.source, size, size.value! - old) });
  } else {
    const copy = estimateStep(rates, 'generate.copy', 'seconds', s.rows);
    push(w, { part, step: 'generate', what: `${schema} (${s.rows.toLocaleString('en-US')} rows, COPY)`, seconds: copy.value, diskBytes: size.value! - old, source: sources(copy.source, size, size.value! - old) });
  }
  const idx = estimateStep(rates, 'generate.indexes', 'seconds', s.rows);
  push(w, { part, step: 'indexes', what: `${schema} (indexes + VACUUM ANALYZE)`, seconds: idx.value, diskBytes: 0, source: idx.source });
  if (s.imported) verifyRow(w, part, schema, s.rows, rates, 'checksum');
  w.schemas.set(schema, { reusable: true, at: -1, bytes: size.value! });
  w.touched.add(schema);
}

function verifyRow(w: Walk, part: string, schema: string, rows: number, rates: StepRates, step = 'verify'): void {
  const v = estimateStep(rates, 'verify', 'seconds', rows);
  push(w, { part, step, what: schema, seconds: v.value, diskBytes: 0, source: v.source });
}

function prepareRows(w: Walk, part: string, schema: string, to: number, s: PlanSettings, tags: readonly string[], rates: StepRates): void {
  const now = w.schemas.get(schema);
  if (now?.reusable && now.at === to) {
    // Built, migrated or shown earlier in this plan: nothing to say; found so on the server: reused.
    if (w.touched.has(schema)) return;
    push(w, { part, step: 'reused', what: `${schema} already at ${stateName(tags, to)} with the dataset`, seconds: 0, diskBytes: 0, source: 'the server now (manifest + ledger)' });
    w.touched.add(schema);
    return;
  }
  if (!now?.reusable) buildRows(w, part, schema, s, tags, rates);
  migrateRows(w, part, schema, to, tags, rates, s.rows);
}

function opRows(w: Walk, part: string, op: PlanOp, s: PlanSettings, tags: readonly string[], rates: StepRates): void {
  switch (op.kind) {
    case 'generate':
      return buildRows(w, part, op.schema, { ...s, imported: false }, tags, rates);
    case 'prepare':
      return prepareRows(w, part, op.schema, op.to, s, tags, rates);
    case 'migrate':
      return migrateRows(w, part, op.schema, op.to, tags, rates, s.rows);
    case 'verify':
      return verifyRow(w, part, op.schema, s.rows, rates);
    case 'load': {
      for (const v of op.variants) prepareRows(w, part, v.schema, v.to, s, tags, rates);
      const seconds = op.segments * (op.segmentSec + ASSUMED.segmentOverheadSec) + ASSUMED.runOverheadSec;
      return push(w, { part, step: 'load', what: `${op.what}: ${op.segments} segments × ${op.segmentSec} s`, seconds, diskBytes: 0, source: `settings + ${ASSUMED.segmentOverheadSec} s a segment, ${ASSUMED.runOverheadSec} s a run (assumed)` });
    }
    case 'fixed':
      return push(w, { part, step: 'measure', what: op.what, seconds: op.seconds, diskBytes: 0, source: op.source });
    case 'refresh': {
      const r = estimateStep(rates, 'refresh.search-view', 'seconds', s.rows);
      return push(w, { part, step: 'refresh', what: `${op.what} (${op.count} × vw_geometrias_search)`, seconds: r.value === null ? null : op.count * r.value, diskBytes: 0, source: r.source });
    }
  }
}

/** Every step of `parts` in order, from the schemas as they are now (`now`, by schema name). */
export function planRows(parts: readonly PlanPart[], tags: readonly string[], now: ReadonlyMap<string, SchemaNow>, rates: StepRates, s: PlanSettings): PlanRow[] {
  const w: Walk = { schemas: new Map(now), touched: new Set(), rows: [], inUse: 0 };
  for (const p of parts) for (const op of p.ops) opRows(w, p.part, op, s, tags, rates);
  return w.rows;
}

export interface PlanTotals {
  readonly seconds: number;
  /** Steps without any figure (not in the total). */
  readonly unknownSteps: number;
  /** Highest disk in use above the start during the plan. */
  readonly peakBytes: number;
  /** Disk in use above the start at the end. */
  readonly finalBytes: number;
}

export function planTotals(rows: readonly PlanRow[]): PlanTotals {
  return {
    seconds: rows.reduce((t, r) => t + (r.seconds ?? 0), 0),
    unknownSteps: rows.filter((r) => r.seconds === null).length,
    peakBytes: rows.reduce((m, r) => Math.max(m, r.peakBytes), 0),
    finalBytes: rows.reduce((t, r) => t + r.diskBytes, 0),
  };
}

const GiB = 2 ** 30;
/** Free space never planned into: PostgreSQL stops on a full disk, the OS and logs need room. */
export const DISK_MARGIN_BYTES = 1e9;
/**
 * WAL and temporary files on top of the relations: ~3.5 GB of WAL was seen at full scale
 * (/work/shared/notes/postgis-measurements.md), scaled by rows, at least 0.5 GiB, at most the
 * cluster's max_wal_size (8 GB).
 */
export function walHeadroomBytes(rows: number): number {
  return Math.min(8 * GiB, Math.max(0.5e9, 3.5e9 * (rows / ROWS_AT_SCALE_1)));
}

export interface DiskCheck {
  readonly peakBytes: number;
  readonly walBytes: number;
  /** peak + WAL headroom. */
  readonly neededBytes: number;
  /** null: the server is not on this machine's disk (external), not checked. */
  readonly freeBytes: number | null;
  readonly marginBytes: number;
  readonly refuse: boolean;
}

/** Refuse when the peak additional disk + WAL headroom exceeds the free space minus the margin. */
export function diskCheck(totals: PlanTotals, rows: number, freeBytes: number | null): DiskCheck {
  const walBytes = walHeadroomBytes(rows);
  const neededBytes = Math.max(0, totals.peakBytes) + walBytes;
  return { peakBytes: totals.peakBytes, walBytes, neededBytes, freeBytes, marginBytes: DISK_MARGIN_BYTES, refuse: freeBytes !== null && neededBytes > freeBytes - DISK_MARGIN_BYTES };
}
