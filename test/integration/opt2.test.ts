import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import seedrandom from 'seedrandom';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { rowsForScale } from '../../bench/dataset/model.ts';
import { QUERY_TYPES, queryType } from '../../bench/queries/index.ts';

/**
 * OPT2 (compact storage) on a tiny dataset in a schema of its own: applies on top of OPT1, keeps
 * every row byte-identical (dataset verify), shrinks the footprint, answers the unchanged workload
 * exactly as OPT1 does, keeps partition pruning, and rolls back to OPT1's exact state.
 */
const SCHEMA = 'geobench_opt2test';
const SCALE = '0.002';
const ctx = { totalRows: rowsForScale(Number(SCALE)) };
const SAMPLES = 20;

const cli = (...args: string[]) => runCli(['--schema', SCHEMA, ...args]);

async function inSchema<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const target = await testDatabase();
  return withClient(target, async (c) => {
    await c.query(`SET search_path = ${SCHEMA}, public`);
    return fn(c);
  });
}

async function verifyOk(label: string): Promise<void> {
  const r = await cli('dataset', 'verify');
  assert.is(r.code, 0, `${label}: dataset verify failed: ${r.stderr}`);
  assert.match(r.stdout + r.stderr, /verify OK/);
}

/** The same parameter sets per type on every run: one seeded stream per type. */
function paramSets(name: string): unknown[][] {
  const rng = seedrandom.alea(`opt2test:${name}`);
  const q = queryType(name);
  return Array.from({ length: SAMPLES }, () => q.params(rng, ctx));
}

type Rows = Array<Record<string, unknown>>;

/** Every read type's parameter sets, canonicalized: row order normalized where the SQL does not fix it. */
async function readAnswers(): Promise<Record<string, string[]>> {
  return inSchema(async (c) => {
    const out: Record<string, string[]> = {};
    for (const q of Object.values(QUERY_TYPES)) {
      if (q.kind !== 'read') continue;
      out[q.name] = [];
      for (const p of paramSets(q.name)) {
        let rows: Rows;
        try {
          rows = (await c.query(q.sql, p)).rows as Rows;
        } catch (err) {
          throw new Error(`${q.name} failed with ${JSON.stringify(p)}: ${(err as Error).message}`);
        }
        const texts = rows.map((x) => JSON.stringify(x, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)));
        // Q3's answer is its order (ids may tie at equal distance): compare the distances in order.
        // Q1 has LIMIT 1000 without ORDER BY: a full viewport may legitimately be any 1000 rows.
        out[q.name]!.push(
          q.name === 'Q3' ? JSON.stringify(rows.map((x) => x.distance))
            : q.name === 'Q1' && rows.length === 1000 ? 'full viewport (1000 rows)'
              : JSON.stringify(texts.sort()),
        );
      }
    }
    return out;
  });
}

interface Footprint {
  heap: number; // main fork of every partition
  indexes: number; // every index of every partition
  total: number; // pg_total_relation_size over the partition tree
  perIndex: Record<string, number>;
}

async function footprint(): Promise<Footprint> {
  return inSchema(async (c) => {
    const t = await c.query<{ heap: string; indexes: string; total: string }>(
      `SELECT sum(pg_relation_size(relid)) AS heap, sum(pg_indexes_size(relid)) AS indexes, sum(pg_total_relation_size(relid)) AS total
         FROM pg_partition_tree('geometrias'::regclass)`);
    const i = await c.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, sum(pg_relation_size(t.relid)) AS bytes
         FROM pg_class c CROSS JOIN LATERAL pg_partition_tree(c.oid) t
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'I' GROUP BY 1`);
    return {
      heap: Number(t.rows[0]!.heap), indexes: Number(t.rows[0]!.indexes), total: Number(t.rows[0]!.total),
      perIndex: Object.fromEntries(i.rows.map((r) => [r.name, Number(r.bytes)])),
    };
  });
}

/** Everything that defines the table: columns, partitions and bounds, constraints, indexes (with their partitions), relation sizes. */
async function structure(): Promise<Record<string, unknown>> {
  return inSchema(async (c) => {
    const q = async (sql: string) => (await c.query(sql)).rows;
    return {
      columns: await q(`SELECT column_name, data_type, udt_name, column_default, is_nullable, ordinal_position FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = 'geometrias' ORDER BY ordinal_position`),
      geometryColumn: await q(`SELECT type, srid FROM geometry_columns WHERE f_table_schema = current_schema() AND f_table_name = 'geometrias'`),
      relations: await q(`SELECT c.relname, c.relkind, c.reloptions, pg_get_expr(c.relpartbound, c.oid) AS bound, pg_relation_size(c.oid)::text AS bytes
                           FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname LIKE 'geometrias%' ORDER BY 1`),
      indexes: await q(`SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') AS def FROM pg_indexes
                         WHERE schemaname = current_schema() ORDER BY 1, 2`),
      constraints: await q(`SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                             WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2`),
      sequence: await q(`SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = current_schema()`),
    };
  });
}

const parentIndexes = async (): Promise<string[]> =>
  inSchema(async (c) => (await c.query<{ indexname: string }>(
    `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'geometrias' ORDER BY 1`)).rows.map((r) => r.indexname));

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Subplans Removed'?: number;
  Plans?: PlanNode[];
}

/**
 * The plan of a query type for its first parameter set: custom (parameters bound at planning), or
 * generic — the plan a prepared statement switches to after five executions, as in load runs —
 * through PREPARE / EXECUTE with plan_cache_mode = force_generic_plan.
 */
async function planNodes(name: string, generic = false): Promise<PlanNode[]> {
  const q = queryType(name);
  const p = paramSets(name)[0]!;
  return inSchema(async (c) => {
    let r: pg.QueryResult<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;
    if (generic) {
      await c.query('SET plan_cache_mode = force_generic_plan');
      await c.query(`PREPARE opt2_plan AS ${q.sql}`);
      const args = p.map((v) => (Array.isArray(v) ? `ARRAY[${v.map(Number).join(',')}]` : c.escapeLiteral(String(v))));
      r = await c.query(`EXPLAIN (FORMAT JSON) EXECUTE opt2_plan(${args.join(', ')})`);
    } else {
      r = await c.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, p);
    }
    const nodes: PlanNode[] = [];
    const walk = (n: PlanNode): void => {
      nodes.push(n);
      n.Plans?.forEach(walk);
    };
    walk(r.rows[0]!['QUERY PLAN'][0]!.Plan);
    return nodes;
  });
}

const partitionCount = async (): Promise<number> =>
  inSchema(async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'geometrias'::regclass`)).rows[0]!.n));

/** W1's parameter sets on the current variant: ids from the sequence, rows in month partitions; the rows are deleted again. */
async function writesWork(label: string): Promise<void> {
  const w1 = queryType('W1');
  const rng = seedrandom.alea(`opt2test:W1:${label}`);
  await inSchema(async (c) => {
    for (let i = 0; i < SAMPLES; i++) {
      const r = await c.query<{ id: string }>(w1.sql, w1.params(rng, ctx));
      assert.is(r.rows.length, 1);
      assert.ok(BigInt(r.rows[0]!.id) >= 10n ** 12n, `${label}: W1 id ${r.rows[0]!.id} comes from geometrias_id_seq`);
    }
    const where = await c.query<{ part: string; n: string }>(
      `SELECT tableoid::regclass::text AS part, count(*) AS n FROM geometrias WHERE id >= 1000000000000 GROUP BY 1`);
    assert.is(where.rows.reduce((s, r) => s + Number(r.n), 0), SAMPLES);
    for (const r of where.rows) assert.match(r.part, /geometrias_p\d{4}_\d\d$/, `${label}: W1 rows land in month partitions`);
  });
  await verifyOk(`${label} after W1`);
  await inSchema((c) => c.query('DELETE FROM geometrias WHERE id >= 1000000000000'));
}

let opt1Answers: Record<string, string[]>;
let opt1Size: Footprint;
let opt1Structure: Record<string, unknown>;
let opt1Indexes: string[];
let opt2Size: Footprint;

test.before(async () => {
  await testDatabase();
  await inSchema((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  const gen = await cli('dataset', 'generate', '--scale', SCALE, '--seed', '11');
  assert.is(gen.code, 0, gen.stderr);
  const up = await cli('migrate', 'up', '--to', 'OPT1');
  assert.is(up.code, 0, up.stderr);
});

test.after(async () => {
  await inSchema((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
});

test('OPT1 reference: answers, sizes and structure', async () => {
  opt1Answers = await readAnswers();
  opt1Size = await footprint();
  opt1Structure = await structure();
  opt1Indexes = await parentIndexes();
  assert.equal(opt1Indexes, ['geometrias_created_idx', 'geometrias_geom_gist', 'geometrias_layer_created_idx', 'geometrias_pkey']);
  const q1Hits = opt1Answers.Q1!.filter((a) => a !== '[]').length;
  assert.ok(q1Hits >= SAMPLES / 2, `Q1 finds rows for ${q1Hits}/${SAMPLES} windows: the comparison has something to compare`);
});

test('migrate up --to OPT2: same table and columns, rows byte-identical (verify), smaller footprint', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT2');
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /applied: OPT2/);
  await verifyOk('OPT2');
  const s = await structure();
  assert.equal(s.columns, opt1Structure.columns, 'same columns, types, defaults and order');
  assert.equal(s.geometryColumn, opt1Structure.geometryColumn);
  assert.equal(s.sequence, opt1Structure.sequence);
  assert.is(await partitionCount(), 37, 'still 36 months + default');
  const kind = await inSchema((c) => c.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = 'geometrias'::regclass`));
  assert.is(kind.rows[0]!.relkind, 'p');
  assert.equal(await parentIndexes(), ['geometrias_created_brin', 'geometrias_geom_gist', 'geometrias_pkey']);

  opt2Size = await footprint();
  assert.ok(opt2Size.indexes < opt1Size.indexes, `indexes ${opt2Size.indexes} < OPT1's ${opt1Size.indexes}`);
  assert.ok(opt2Size.heap < opt1Size.heap, `heap ${opt2Size.heap} < OPT1's ${opt1Size.heap}`);
  assert.ok(opt2Size.total < opt1Size.total, `total ${opt2Size.total} < OPT1's ${opt1Size.total}`);
  assert.ok(opt2Size.perIndex.geometrias_created_brin! < opt1Size.perIndex.geometrias_created_idx!, 'BRIN smaller than the btree it replaces');
  assert.ok(opt2Size.perIndex.geometrias_pkey! <= opt1Size.perIndex.geometrias_pkey!, 'primary key not larger');
});

test('OPT2: Q1–Q8 give the same answers as on OPT1 for the same parameters', async () => {
  const opt2 = await readAnswers();
  for (const name of Object.keys(opt1Answers)) {
    const differ = opt1Answers[name]!.flatMap((x, i) => (opt2[name]![i] === x ? [] : [i]));
    assert.equal(differ, [], `${name}: OPT2 answers differ from OPT1's for samples ${differ.join(', ')}`);
  }
});

test('OPT2: Q5 still prunes partitions (custom and generic plans); Q3 is a GiST kNN scan', async () => {
  const total = await partitionCount();
  const custom = await planNodes('Q5');
  const scanned = new Set(custom.map((n) => n['Relation Name']).filter(Boolean));
  assert.ok(scanned.size >= 1 && scanned.size <= 2, `a 30-day window reads 1–2 of ${total} partitions, read ${[...scanned].join(', ')}`);
  const generic = await planNodes('Q5', true);
  const removed = generic.reduce((s, n) => s + (n['Subplans Removed'] ?? 0), 0);
  assert.ok(removed >= total - 2, `generic plan removes subplans at run time (${removed})`);
  const knn = await planNodes('Q3');
  const gist = knn.filter((n) => n['Node Type'] === 'Index Scan' && /geom_idx$/.test(n['Index Name'] ?? ''));
  assert.ok(gist.length > 1, JSON.stringify(knn.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`)));
});

test('OPT2: W1 inserts work (ids from the sequence, month partitions); verify passes', async () => {
  await writesWork('OPT2');
});

test('rollback to OPT1: verify passes; OPT1 structure, index names and sizes exactly; same answers', async () => {
  const down = await cli('migrate', 'down', '--to', 'OPT1');
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, /rolled back: OPT2/);
  await verifyOk('rollback');
  assert.equal(await parentIndexes(), opt1Indexes);
  assert.equal(await structure(), opt1Structure, 'same relations, bounds, index definitions, constraints and relation sizes as after OPT1');
  assert.equal(await readAnswers(), opt1Answers);
});

test('re-applying OPT2 works and gives the same footprint', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT2');
  assert.is(up.code, 0, up.stderr);
  await verifyOk('OPT2 again');
  const again = await footprint();
  assert.is(again.heap, opt2Size.heap);
  assert.equal(again.perIndex, opt2Size.perIndex);
});

test.run();
