import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import seedrandom from 'seedrandom';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { rowsForScale } from '../../bench/dataset/model.ts';
import { QUERY_TYPES, queryType } from '../../bench/queries/index.ts';
import { workloadSearchPath } from '../../bench/db/schema.ts';

/** A tiny dataset in a schema of its own, so other suites' `geobench` schema is left alone. */
const SCHEMA = 'geobench_qtest';
const SCALE = '0.002';
const ctx = { totalRows: rowsForScale(Number(SCALE)) };
const SAMPLES = 30;

const cli = (...args: string[]) => runCli(['--schema', SCHEMA, ...args]);

async function inSchema<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const target = await testDatabase();
  return withClient(target, async (c) => {
    await c.query(`SET search_path = ${SCHEMA}, public`);
    return fn(c);
  });
}

/** The same 30 parameter sets per type on every run: one seeded stream per type. */
function paramSets(name: string): unknown[][] {
  const rng = seedrandom.alea(`qtest:${name}`);
  const q = queryType(name);
  return Array.from({ length: SAMPLES }, () => q.params(rng, ctx));
}

type Results = Record<string, Array<Array<Record<string, unknown>>>>;

/** Runs every read type's parameter sets; returns the rows, per type, per sample. */
async function runReads(): Promise<Results> {
  return inSchema(async (c) => {
    const out: Results = {};
    for (const q of Object.values(QUERY_TYPES)) {
      if (q.kind !== 'read') continue;
      out[q.name] = [];
      for (const p of paramSets(q.name)) {
        try {
          out[q.name]!.push((await c.query(q.sql, p)).rows as Array<Record<string, unknown>>);
        } catch (err) {
          throw new Error(`${q.name} failed with ${JSON.stringify(p)}: ${(err as Error).message}`);
        }
      }
    }
    return out;
  });
}

/** Runs W1's parameter sets; returns the new ids. */
async function runWrites(seed: string): Promise<bigint[]> {
  const w1 = queryType('W1');
  const rng = seedrandom.alea(seed);
  return inSchema(async (c) => {
    const ids: bigint[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const r = await c.query<{ id: string }>(w1.sql, w1.params(rng, ctx));
      assert.is(r.rows.length, 1);
      ids.push(BigInt(r.rows[0]!.id));
    }
    return ids;
  });
}

function checkShapes(r: Results, label: string): void {
  const q1Hits = r.Q1!.filter((rows) => rows.length > 0).length;
  assert.ok(q1Hits >= 0.6 * SAMPLES, `${label}: Q1 returned rows for ${q1Hits}/${SAMPLES} windows`);
  for (const rows of r.Q1!) assert.ok(rows.length <= 1000);
  for (const rows of r.Q2!) assert.is(rows.length, 1);
  for (const rows of r.Q3!) {
    assert.is(rows.length, 10, `${label}: Q3 returns 10 rows`);
    const d = rows.map((x) => Number(x.distance));
    assert.equal(d, [...d].sort((a, b) => a - b), `${label}: Q3 ordered by distance`);
  }
  for (const rows of r.Q5!) assert.ok(rows.length >= 1, `${label}: Q5 finds at least one layer`);
  for (const rows of r.Q7!) {
    const months = new Set(rows.map((x) => (x.month as Date).toISOString()));
    assert.is(months.size, 3, `${label}: Q7 spans three months`);
    for (const m of months) assert.match(m, /-01T00:00:00\.000Z$/, 'Q7 months are UTC month starts');
  }
  for (const rows of r.Q8!) {
    assert.ok(rows.length >= 1 && rows.length <= 20);
    for (const x of rows) assert.ok(Buffer.isBuffer(x.wkb));
  }
}

/** A comparable form of a run: row order normalized where the SQL does not fix it. */
function canonical(r: Results): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, samples] of Object.entries(r)) {
    out[name] = samples.map((rows) => {
      const texts = rows.map((x) => JSON.stringify(x, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)));
      // Q3's order is the answer (and ids may tie at equal distance): compare its distances in order.
      return name === 'Q3' ? JSON.stringify(rows.map((x) => x.distance)) : JSON.stringify(texts.sort());
    });
  }
  return out;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

async function planOf(name: string): Promise<PlanNode[]> {
  const q = queryType(name);
  const p = paramSets(name)[0]!;
  return inSchema(async (c) => {
    const r = await c.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${q.sql}`, p);
    const nodes: PlanNode[] = [];
    const walk = (n: PlanNode): void => {
      nodes.push(n);
      n.Plans?.forEach(walk);
    };
    walk(r.rows[0]!['QUERY PLAN'][0]!.Plan);
    return nodes;
  });
}

let baseline: Results;

test.before(async () => {
  await testDatabase();
  const gen = await cli('dataset', 'generate', '--scale', SCALE, '--seed', '5');
  assert.is(gen.code, 0, gen.stderr);
});

/** OPT4/OPT5 leave pg_cron jobs and a partman.part_config row outside the schema: remove them too. */
async function dropEverything(): Promise<void> {
  await inSchema(async (c) => {
    const hasCron = (await c.query<{ ok: boolean }>(`SELECT to_regclass('cron.job') IS NOT NULL AS ok`)).rows[0]!.ok;
    if (hasCron) await c.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE starts_with(jobname, $1)`, [`${SCHEMA}:`]);
    const hasPartman = (await c.query<{ ok: boolean }>(`SELECT to_regclass('partman.part_config') IS NOT NULL AS ok`)).rows[0]!.ok;
    if (hasPartman) {
      const cfg = await c.query<{ t: string | null }>(`SELECT template_table AS t FROM partman.part_config WHERE parent_table = $1`, [`${SCHEMA}.geometrias`]);
      await c.query(`DELETE FROM partman.part_config WHERE parent_table = $1`, [`${SCHEMA}.geometrias`]);
      for (const r of cfg.rows) if (r.t) await c.query(`DROP TABLE IF EXISTS ${r.t}`);
    }
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA}_api CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });
}

test.after(dropEverything);

test('baseline: every query type runs 30 parameter sets; answers have the expected shape', async () => {
  baseline = await runReads();
  checkShapes(baseline, 'baseline');
});

test('baseline: Q3 is an index-ordered kNN scan on the GiST; Q4 uses the GiST too', async () => {
  const knn = await planOf('Q3');
  assert.ok(knn.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'geometrias_geom_gist'), JSON.stringify(knn.map((n) => n['Node Type'])));
  const pip = await planOf('Q4');
  assert.ok(pip.some((n) => n['Index Name'] === 'geometrias_geom_gist'), JSON.stringify(pip.map((n) => n['Node Type'])));
});

test('baseline: W1 inserts get ids from the sequence (≥ 10^12); dataset verify still passes', async () => {
  const ids = await runWrites('qtest:W1:baseline');
  assert.is(new Set(ids).size, SAMPLES);
  for (const id of ids) assert.ok(id >= 10n ** 12n, `id ${id}`);
  const rows = await inSchema((c) => c.query<{ n: string; src: string }>(
    `SELECT count(*) AS n, min((props->>'source')::int) AS src FROM geometrias WHERE id >= 1000000000000`));
  assert.is(rows.rows[0]!.n, String(SAMPLES));
  assert.is(Number(rows.rows[0]!.src), 9);
  const verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr);
  // Remove the written rows so the OPT1 run reads exactly the data the baseline run read.
  await inSchema((c) => c.query('DELETE FROM geometrias WHERE id >= 1000000000000'));
});

test('OPT1: the same SQL runs unchanged on monthly partitions and gives the same answers', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT1');
  assert.is(up.code, 0, up.stderr);
  const parts = await inSchema((c) => c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = '${SCHEMA}.geometrias'::regclass`));
  assert.ok(Number(parts.rows[0]!.n) > 1, 'partitioned');
  const opt1 = await runReads();
  checkShapes(opt1, 'OPT1');
  const a = canonical(opt1);
  const b = canonical(baseline);
  for (const name of Object.keys(b)) {
    const differ = b[name]!.flatMap((x, i) => (a[name]![i] === x ? [] : [i]));
    assert.equal(differ, [], `${name}: OPT1 answers differ from the baseline's for samples ${differ.join(', ')}`);
  }
});

test('OPT1: Q3 uses the per-partition GiST indexes', async () => {
  const knn = await planOf('Q3');
  const gist = knn.filter((n) => n['Node Type'] === 'Index Scan' && /geom/.test(n['Index Name'] ?? ''));
  assert.ok(gist.length > 1, JSON.stringify(knn.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`)));
});

test('OPT1: W1 rows land in month partitions, not the default; verify still passes', async () => {
  const ids = await runWrites('qtest:W1:opt1');
  for (const id of ids) assert.ok(id >= 10n ** 12n);
  const where = await inSchema((c) => c.query<{ part: string }>(
    `SELECT DISTINCT tableoid::regclass::text AS part FROM geometrias WHERE id >= 1000000000000`));
  assert.ok(where.rows.length > 1);
  for (const r of where.rows) assert.match(r.part, /geometrias_p\d{4}_\d\d$/);
  const verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr);
});

/** Rows as sorted comparable text over the columns both answers have (ids, counts, months). */
function canonicalRows(rows: Array<Record<string, unknown>>, cols: string[]): string[] {
  return rows.map((r) => cols.map((k) => (r[k] instanceof Date ? (r[k] as Date).toISOString() : String(r[k]))).join('|')).sort();
}

/** The first ISO timestamp among a parameter set: the start of the queried time window. */
const windowStartSec = (params: unknown[]): number | undefined => {
  const iso = params.find((p): p is string => typeof p === 'string' && /^\d{4}-\d\d-\d\dT/.test(p));
  return iso === undefined ? undefined : Date.parse(iso) / 1000;
};

test('OPT5: every route declared exact answers what its base query answers right after W1 inserts inside its window', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT5');
  assert.is(up.code, 0, up.stderr);
  const w1 = queryType('W1');
  const rng = seedrandom.alea('qtest:exact-routes');
  await inSchema(async (c) => {
    // No scheduled refresh may run between the writes and the comparison: remove this schema's jobs.
    await c.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE starts_with(jobname, $1)`, [`${SCHEMA}:`]);
    await c.query(`SET search_path = ${workloadSearchPath(SCHEMA)}`);
    const checked: Record<string, number> = {};
    for (const q of Object.values(QUERY_TYPES)) {
      for (const [routeName, route] of Object.entries(q.routes ?? {})) {
        if (!route.exact) continue;
        const label = `${q.name} via ${routeName}`;
        for (let i = 0; i < 10; i++) {
          const params = q.params(rng, ctx);
          // W1 writes as the load engine sends them, with created_at two days (plus i hours) into the
          // window: inside a whole UTC day of every windowed type (Q5: 30 days, Q7: 3 months).
          const start = windowStartSec(params);
          for (let k = 0; k < 3; k++) {
            const w = w1.params(rng, ctx);
            if (start !== undefined) {
              const at = new Date((start + 2 * 86_400 + i * 3600 + k * 60) * 1000).toISOString();
              w[1] = at;
            }
            await c.query(w1.sql, w);
          }
          const base = (await c.query(q.sql, params)).rows as Array<Record<string, unknown>>;
          const routed = (await c.query(route.sql, params)).rows as Array<Record<string, unknown>>;
          const cols = Object.keys(base[0] ?? routed[0] ?? {}).filter((k) => k in (routed[0] ?? {}));
          assert.ok(cols.includes('id') || cols.includes('n'), `${label}: comparable columns ${cols.join(',')}`);
          assert.equal(canonicalRows(routed, cols), canonicalRows(base, cols), `${label} is declared exact but differs from the base query after W1 inserts, with ${JSON.stringify(params)}`);
          checked[label] = (checked[label] ?? 0) + 1;
        }
      }
    }
    assert.ok(checked['Q5 via live'] === 10 && checked['Q7 via live'] === 10, `exact routes checked: ${JSON.stringify(checked)}`);
  });
});

test.run();
