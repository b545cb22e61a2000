import type pg from 'pg';
import { num } from './counters.ts';

/**
 * On-disk sizes in one schema: the `geometrias` table (summed over its partitions when
 * partitioned) with each of its indexes, and every materialized view with its indexes. Bytes as
 * reported by pg_relation_size and friends (whole 8 kB pages, free space included).
 */

/** One index by name; for a partitioned index the sum of its partitions' indexes. */
export interface IndexSize {
  readonly name: string;
  /** Access method: btree, gist, brin, … */
  readonly method: string;
  readonly bytes: number;
  /** Leaf index partitions summed (0 for a plain index). */
  readonly partitions: number;
}

export interface RelationSize {
  readonly name: string;
  readonly kind: 'table' | 'partitioned table' | 'materialized view';
  /** Leaf partitions (0 for a plain table or a materialized view). */
  readonly partitions: number;
  /** Main fork plus free-space and visibility maps. */
  readonly heapBytes: number;
  /** TOAST table and its index (large props / geometries). */
  readonly toastBytes: number;
  /** All indexes on the relation (or its partitions). */
  readonly indexBytes: number;
  /** heap + toast + indexes. */
  readonly totalBytes: number;
  /** Indexes by name, sorted. */
  readonly indexes: readonly IndexSize[];
}

export interface SchemaSizes {
  readonly schema: string;
  /** `geometrias`, or null when the schema has no such table. */
  readonly table: RelationSize | null;
  /** Materialized views of the schema, sorted by name. */
  readonly materializedViews: readonly RelationSize[];
  /** The table's and the materialized views' total. */
  readonly totalBytes: number;
}

export const DATASET_TABLE = 'geometrias';

const KINDS: Readonly<Record<string, RelationSize['kind']>> = { r: 'table', p: 'partitioned table', m: 'materialized view' };

/**
 * Assembles rows of the two size queries (relations, indexes; bigints as strings) into
 * {@link SchemaSizes}. Pure.
 */
export function assembleSizes(
  schema: string,
  relationRows: readonly Readonly<Record<string, unknown>>[],
  indexRows: readonly Readonly<Record<string, unknown>>[],
): SchemaSizes {
  const relations = relationRows.map((r): RelationSize => {
    const name = String(r.name);
    const indexes = indexRows
      .filter((i) => i.relation === name)
      .map((i): IndexSize => ({ name: String(i.name), method: String(i.method), bytes: num(i.bytes), partitions: num(i.partitions) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const heapBytes = num(r.heap_bytes);
    const toastBytes = num(r.toast_bytes);
    const indexBytes = num(r.index_bytes);
    return { name, kind: KINDS[String(r.kind)] ?? 'table', partitions: num(r.partitions), heapBytes, toastBytes, indexBytes, totalBytes: heapBytes + toastBytes + indexBytes, indexes };
  });
  const table = relations.find((r) => r.name === DATASET_TABLE && r.kind !== 'materialized view') ?? null;
  const materializedViews = relations.filter((r) => r.kind === 'materialized view').sort((a, b) => a.name.localeCompare(b.name));
  const totalBytes = (table?.totalBytes ?? 0) + materializedViews.reduce((s, m) => s + m.totalBytes, 0);
  return { schema, table, materializedViews, totalBytes };
}

// The relations measured: the dataset table and the schema's materialized views. $1 = schema, $2 = table.
const RELATIONS_CTE = `
  rel AS (
    SELECT c.oid, c.relname, c.relkind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND ((c.relname = $2 AND c.relkind IN ('r', 'p')) OR c.relkind = 'm')
  )`;

// pg_partition_tree lists nothing for a plain relation, so a non-partitioned one is its own leaf.
const RELATION_SIZES = `
  WITH ${RELATIONS_CTE},
  leaf AS (
    SELECT rel.oid AS root, t.relid AS leaf FROM rel, pg_partition_tree(rel.oid) t WHERE rel.relkind = 'p' AND t.isleaf
    UNION ALL
    SELECT rel.oid, rel.oid FROM rel WHERE rel.relkind <> 'p'
  )
  SELECT rel.relname AS name, rel.relkind AS kind,
         count(leaf.leaf) FILTER (WHERE leaf.leaf <> rel.oid) AS partitions,
         coalesce(sum(pg_table_size(leaf.leaf) - coalesce(pg_total_relation_size(NULLIF(lc.reltoastrelid, 0::oid)), 0)), 0) AS heap_bytes,
         coalesce(sum(pg_total_relation_size(NULLIF(lc.reltoastrelid, 0::oid))), 0) AS toast_bytes,
         coalesce(sum(pg_indexes_size(leaf.leaf)), 0) AS index_bytes
    FROM rel LEFT JOIN leaf ON leaf.root = rel.oid LEFT JOIN pg_class lc ON lc.oid = leaf.leaf
   GROUP BY rel.oid, rel.relname, rel.relkind`;

// A partitioned index ('I') has no storage of its own: sum the leaves of its partition tree.
const INDEX_SIZES = `
  WITH ${RELATIONS_CTE}
  SELECT rel.relname AS relation, ic.relname AS name, am.amname AS method,
         CASE WHEN ic.relkind = 'I'
              THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(ic.oid) t WHERE t.isleaf)
              ELSE pg_relation_size(ic.oid) END AS bytes,
         CASE WHEN ic.relkind = 'I'
              THEN (SELECT count(*) FROM pg_partition_tree(ic.oid) t WHERE t.isleaf)
              ELSE 0 END AS partitions
    FROM rel JOIN pg_index i ON i.indrelid = rel.oid
    JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam`;

/** Measures the sizes in `schema` (a value, passed as a query parameter). */
export async function measureSizes(client: pg.Client, schema: string): Promise<SchemaSizes> {
  const relations = await client.query(RELATION_SIZES, [schema, DATASET_TABLE]);
  const indexes = await client.query(INDEX_SIZES, [schema, DATASET_TABLE]);
  return assembleSizes(schema, relations.rows, indexes.rows);
}
