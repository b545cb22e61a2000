import { GeobenchError } from '../core/errors.ts';

/**
 * Pure planning of `dataset import`: what the source is, how its columns map onto the baseline
 * layout, and the one SELECT that reads it (renumbered, cast, optionally sampled). No I/O here.
 */
export type ImportSource = { readonly kind: 'table'; readonly schema: string; readonly table: string } | { readonly kind: 'query'; readonly sql: string };

/** Baseline columns (sql/baseline/01_table.sql); the optional ones have a default. */
export const BASELINE_COLUMNS = ['id', 'layer_id', 'created_at', 'updated_at', 'props', 'geom'] as const;
export type BaselineColumn = (typeof BASELINE_COLUMNS)[number];
const OPTIONAL: ReadonlySet<BaselineColumn> = new Set(['updated_at', 'props']);

/** Source column types each baseline column accepts (pg_type.typname). */
const ACCEPTED_TYPES: Record<BaselineColumn, readonly string[]> = {
  id: ['int2', 'int4', 'int8', 'numeric', 'text', 'varchar', 'uuid'],
  layer_id: ['int2', 'int4', 'int8'],
  created_at: ['timestamptz', 'timestamp'],
  updated_at: ['timestamptz', 'timestamp'],
  props: ['jsonb', 'json'],
  geom: ['geometry', 'geography'],
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** `schema.table` (plain identifiers) is a table; anything starting with SELECT/WITH/TABLE/VALUES is a query. */
export function parseImportSource(from: string): ImportSource {
  const text = from.trim();
  if (/^(select|with|table|values)\b/i.test(text)) return { kind: 'query', sql: text.replace(/;\s*$/, '') };
  const parts = text.split('.');
  if (parts.length === 2 && parts.every((p) => IDENT.test(p))) return { kind: 'table', schema: parts[0]!, table: parts[1]! };
  throw new GeobenchError(`--from '${from}' is neither schema.table nor a SELECT query`, { exitCode: 2, hint: 'e.g. --from public.geometrias or --from "SELECT ... FROM public.geometrias"' });
}

/** `--map geom=the_geom,created_at=ts` → baseline column → source column. */
export function parseColumnMap(text: string | undefined): Map<BaselineColumn, string> {
  const map = new Map<BaselineColumn, string>();
  if (!text) return map;
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [target, source, ...rest] = pair.split('=').map((s) => s.trim());
    if (!target || !source || rest.length > 0) throw new GeobenchError(`--map '${pair}' is not <baseline column>=<source column>`, { exitCode: 2 });
    if (!(BASELINE_COLUMNS as readonly string[]).includes(target)) {
      throw new GeobenchError(`--map names '${target}', which is not a baseline column (${BASELINE_COLUMNS.join(', ')})`, { exitCode: 2 });
    }
    if (map.has(target as BaselineColumn)) throw new GeobenchError(`--map names '${target}' twice`, { exitCode: 2 });
    map.set(target as BaselineColumn, source);
  }
  return map;
}

export interface SourceColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * Decides which source column feeds each baseline column. Refuses (exit 2) source columns that fit
 * nowhere, required columns that are missing and columns of the wrong type, naming them and the flag.
 */
export function resolveColumns(columns: readonly SourceColumn[], map: ReadonlyMap<BaselineColumn, string>, ignore: readonly string[] = []): Map<BaselineColumn, SourceColumn> {
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const [target, source] of map) {
    if (!byName.has(source)) throw new GeobenchError(`--map ${target}=${source}: the source has no column '${source}' (it has ${columns.map((c) => c.name).join(', ')})`, { exitCode: 2 });
  }
  const mappedSources = new Set(map.values());
  const resolved = new Map<BaselineColumn, SourceColumn>();
  for (const col of BASELINE_COLUMNS) {
    const sourceName = map.get(col) ?? (byName.has(col) && !mappedSources.has(col) ? col : undefined);
    if (sourceName !== undefined) resolved.set(col, byName.get(sourceName)!);
  }
  const used = new Set([...resolved.values()].map((c) => c.name));
  const unfit = columns.filter((c) => !used.has(c.name) && !ignore.includes(c.name));
  const missing = BASELINE_COLUMNS.filter((c) => !resolved.has(c) && !OPTIONAL.has(c));
  if (unfit.length > 0 || missing.length > 0) {
    const lines: string[] = [];
    if (unfit.length > 0) lines.push(`source column(s) that do not fit the baseline layout: ${unfit.map((c) => `${c.name} (${c.type})`).join(', ')}`);
    if (missing.length > 0) lines.push(`baseline column(s) with no source column: ${missing.join(', ')}`);
    const example = missing.length > 0 && unfit.length > 0 ? `${missing[0]}=${unfit[0]!.name}` : 'geom=the_geom,created_at=ts';
    throw new GeobenchError(lines.join('; '), {
      exitCode: 2,
      hint: `map them with --map ${example} (baseline=source), leave extra columns out with --ignore ${unfit[0]?.name ?? 'col'}, or import a SELECT that names the columns; baseline columns: ${BASELINE_COLUMNS.join(', ')}`,
    });
  }
  for (const [col, source] of resolved) {
    if (!ACCEPTED_TYPES[col].includes(source.type)) {
      throw new GeobenchError(`source column ${source.name} (${source.type}) cannot feed baseline column ${col} (accepts ${ACCEPTED_TYPES[col].join(', ')})`, { exitCode: 2 });
    }
  }
  return resolved;
}

export interface Sample {
  /** Share of the source rows to keep, (0, 1]. */
  readonly fraction: number;
  readonly seed: number;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The FROM clause over the source, aliased `src`. */
export function sourceRelation(source: ImportSource): string {
  return source.kind === 'table' ? `${quoteIdent(source.schema)}.${quoteIdent(source.table)} AS src` : `(${source.sql}) AS src`;
}

/**
 * Row filter of a reproducible sample: a row is kept when the 64-bit hash of its source id with the
 * seed falls below fraction × 2^63 — the same rows every time, whatever the physical layout
 * (TABLESAMPLE depends on pages). Inlined numbers: COPY (query) takes no parameters.
 */
export function sampleFilter(idColumn: string, sample: Sample | undefined): string {
  if (!sample || sample.fraction >= 1) return 'true';
  if (!(sample.fraction > 0) || !Number.isSafeInteger(sample.seed)) throw new GeobenchError('--sample must be in (0, 1] and --seed an integer', { exitCode: 2 });
  return `(hashtextextended(src.${quoteIdent(idColumn)}::text, ${sample.seed}) & 9223372036854775807)::float8 < ${sample.fraction} * 9223372036854775807::float8`;
}

/**
 * The SELECT whose binary COPY output is exactly the baseline tuple (COPY_COLUMNS order): ids
 * renumbered 1..N in source-id order (so verify's chunks and the workload id range work as for
 * generated data), types cast, geometry in SRID 4326, missing optional columns defaulted.
 */
export function importSelect(source: ImportSource, columns: ReadonlyMap<BaselineColumn, SourceColumn>, sample: Sample | undefined): string {
  const col = (c: BaselineColumn): string => `src.${quoteIdent(columns.get(c)!.name)}`;
  const geom = columns.get('geom')!.type === 'geography' ? `${col('geom')}::geometry` : col('geom');
  const created = `${col('created_at')}::timestamptz`;
  return `SELECT row_number() OVER (ORDER BY ${col('id')})::bigint AS id,
  ${col('layer_id')}::integer AS layer_id,
  ${created} AS created_at,
  ${columns.has('updated_at') ? `${col('updated_at')}::timestamptz` : created} AS updated_at,
  ${columns.has('props') ? `coalesce(${col('props')}::jsonb, '{}'::jsonb)` : `'{}'::jsonb`} AS props,
  CASE WHEN ST_SRID(${geom}) = 4326 THEN ${geom} ELSE ST_Transform(${geom}, 4326) END AS geom
FROM ${sourceRelation(source)}
WHERE ${sampleFilter(columns.get('id')!.name, sample)}
ORDER BY 1`;
}

/** Rows, distinct ids and bytes of what would be copied (one pass over the source). */
export function sizeQuery(source: ImportSource, idColumn: string, sample: Sample | undefined): string {
  return `SELECT count(*)::bigint AS rows, count(DISTINCT src.${quoteIdent(idColumn)})::bigint AS ids, coalesce(sum(pg_column_size(src.*)), 0)::bigint AS bytes
FROM ${sourceRelation(source)} WHERE ${sampleFilter(idColumn, sample)}`;
}
