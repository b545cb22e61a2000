import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import seedrandom from 'seedrandom';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { withClient } from '../../bench/db/connect.ts';
import { SQL_DIR } from '../../bench/core/paths.ts';
import { workloadSearchPath } from '../../bench/db/schema.ts';
import { QUERY_TYPES, RPC_TYPES, queryRoute } from '../../bench/queries/index.ts';
import { measureRouteStaleness } from '../../bench/evidence/route-staleness.ts';
import { withSchema } from '../../bench/db/target.ts';
import { startRpcProcess } from '../../bench/validate/rpc-process.ts';
import { RPC_EQUIVALENTS } from '../../bench/validate/rpc-equivalents.ts';
import { rowsForScale } from '../../bench/dataset/model.ts';
import { drawDaysWindow, drawIds, drawLayer, drawPoint, drawTag, drawWindow, isoFromSec } from '../../bench/queries/sampling.ts';

/**
 * OPT3 (indexed materialized views + RPC search functions) on a tiny dataset in a schema of its
 * own. The migration chain is built without OPT2 (baseline, OPT1, OPT3): OPT3 relies only on the
 * columns of geometrias, so it is checked on top of OPT1's partitioned table.
 */
const SCHEMA = 'geobench_opt3test';
const API = `${SCHEMA}_api`;
const SCALE = '0.002';
const TOTAL_ROWS = rowsForScale(Number(SCALE));
const VIEWS = ['vw_geometrias_by_layer', 'vw_geometrias_layer_day', 'vw_geometrias_layer_tag', 'vw_geometrias_search', 'vw_geometrias_tile'];
const FUNCTIONS = ['get_by_ids', 'layer_stats', 'search_bbox', 'search_knn', 'search_layer_time', 'search_nearby'];
const SAMPLES = 10;

let sqlDir = '';
const cli = (...args: string[]) => runCli(['--schema', SCHEMA, ...args], { GEOBENCH_SQL_DIR: sqlDir });

async function inSchema<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const target = await testDatabase();
  return withClient(target, async (c) => {
    await c.query(`SET search_path = ${SCHEMA}, public`);
    return fn(c);
  });
}

type Row = Record<string, unknown>;
const rowsOf = async (c: pg.Client, sql: string, params: unknown[] = []): Promise<Row[]> => (await c.query(sql, params)).rows as Row[];
/** A function called the way the HTTP RPC server calls it: schema-qualified, named arguments. */
const call = (fn: string, args: Record<string, unknown>): [string, unknown[]] => {
  const names = Object.keys(args);
  return [`SELECT * FROM "${API}"."${fn}"(${names.map((n, i) => `${n} => $${i + 1}`).join(', ')})`, names.map((n) => args[n])];
};
const rpc = async (c: pg.Client, fn: string, args: Record<string, unknown>): Promise<Row[]> => rowsOf(c, ...call(fn, args));

/** What the schema holds besides the dataset's rows: relations, functions, and geobench_opt3test* schemas. */
async function catalogSnapshot(): Promise<string[]> {
  return inSchema(async (c) => (await rowsOf(c, `
    SELECT 'rel ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'geobench\\_opt3test%'
    UNION ALL SELECT 'fn ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname LIKE 'geobench\\_opt3test%'
    UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE 'geobench\\_opt3test%'
    ORDER BY 1`)).map((r) => String(r.o)));
}

let beforeOpt3: string[] = [];
/**
 * uvu does not report an error thrown by a before hook (the suite then "passes" 0 of N tests), so
 * setup failures are kept here and rethrown by every test.
 */
let setupError: unknown;

async function setup(): Promise<void> {
  const target = await testDatabase();
  await withClient(target, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });
  // sql/ without OPT2 (written separately): baseline, OPT1 and OPT3 with their rollbacks.
  sqlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-opt3-sql-'));
  fs.cpSync(path.join(SQL_DIR, 'baseline'), path.join(sqlDir, 'baseline'), { recursive: true });
  for (const f of fs.readdirSync(SQL_DIR)) {
    if (/^(1770470100_|ROLLBACK_OPT1_|1770470300_|ROLLBACK_OPT3_)/.test(f)) fs.copyFileSync(path.join(SQL_DIR, f), path.join(sqlDir, f));
  }
  const gen = await cli('dataset', 'generate', '--scale', SCALE, '--seed', '11');
  assert.is(gen.code, 0, gen.stderr);
  const opt1 = await cli('migrate', 'up', '--to', 'OPT1');
  assert.is(opt1.code, 0, opt1.stderr);
  beforeOpt3 = await catalogSnapshot();
}

test.before(async () => {
  try {
    await setup();
  } catch (err) {
    setupError = err;
  }
});

test.before.each(() => {
  if (setupError) throw setupError;
});

test.after(async () => {
  const target = await testDatabase();
  await withClient(target, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });
  if (sqlDir) fs.rmSync(sqlDir, { recursive: true, force: true });
});

test('migrate up --to OPT3: 5 populated views, >= 12 indexes, a unique index on each', async () => {
  const up = await cli('migrate', 'up', '--to', 'OPT3');
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /applied: OPT3/);
  await inSchema(async (c) => {
    const views = await rowsOf(c, `SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = $1 ORDER BY 1`, [SCHEMA]);
    assert.equal(views.map((v) => v.matviewname), VIEWS);
    assert.ok(views.every((v) => v.ispopulated === true), 'created WITH DATA');
    for (const v of VIEWS) {
      const n = Number((await rowsOf(c, `SELECT count(*) AS n FROM ${v}`))[0]!.n);
      assert.ok(n > 0, `${v} has rows`);
    }
    const indexes = await rowsOf(c, `
      SELECT t.relname AS view, i.indisunique AS uniq, i.indpred IS NULL AND i.indexprs IS NULL AS plain
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
       WHERE t.relnamespace = $1::regnamespace AND t.relkind = 'm'`, [SCHEMA]);
    assert.ok(indexes.length >= 12, `${indexes.length} indexes on the views`);
    for (const v of VIEWS) assert.ok(indexes.some((i) => i.view === v && i.uniq && i.plain), `${v} has a unique index on plain columns`);
    // The views' contents match geometrias.
    const byLayer = await rowsOf(c, 'SELECT sum(n)::bigint AS n FROM vw_geometrias_by_layer');
    assert.is(Number(byLayer[0]!.n), TOTAL_ROWS);
    for (const v of ['vw_geometrias_layer_day', 'vw_geometrias_layer_tag', 'vw_geometrias_tile']) {
      assert.is(Number((await rowsOf(c, `SELECT sum(n)::bigint AS n FROM ${v}`))[0]!.n), TOTAL_ROWS, v);
    }
    assert.is(Number((await rowsOf(c, 'SELECT count(*) AS n FROM vw_geometrias_search'))[0]!.n), TOTAL_ROWS);
  });
});

test('REFRESH MATERIALIZED VIEW CONCURRENTLY works on each view and picks up new rows', async () => {
  await inSchema(async (c) => {
    await c.query('BEGIN');
    try {
      // An id in the workload-write range (outside the dataset); the transaction is rolled back.
      await c.query(`INSERT INTO geometrias (id, layer_id, created_at, updated_at, props, geom)
                     VALUES (2000000000000, 3, '2024-05-05T10:00:00Z', '2024-05-05T10:00:00Z', '{"name": "opt3 probe", "tag": "opt3_probe", "source": 9}',
                             ST_SetSRID(ST_MakePoint(-46.6, -23.5), 4326))`);
      for (const v of VIEWS) await c.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${v}`);
      assert.is((await rowsOf(c, `SELECT name FROM vw_geometrias_search WHERE id = 2000000000000`))[0]?.name, 'opt3 probe');
      assert.is(Number((await rowsOf(c, `SELECT n FROM vw_geometrias_layer_tag WHERE layer_id = 3 AND tag = 'opt3_probe'`))[0]?.n), 1);
      assert.is(Number((await rowsOf(c, 'SELECT sum(n)::bigint AS n FROM vw_geometrias_tile'))[0]!.n), TOTAL_ROWS + 1);
      assert.is(Number((await rowsOf(c, 'SELECT sum(n)::bigint AS n FROM vw_geometrias_by_layer'))[0]!.n), TOTAL_ROWS + 1);
      assert.is(Number((await rowsOf(c, `SELECT sum(n)::bigint AS n FROM vw_geometrias_layer_day WHERE day = '2024-05-05'`))[0]!.n),
        Number((await rowsOf(c, `SELECT count(*) AS n FROM geometrias WHERE created_at >= '2024-05-05T00:00:00Z' AND created_at < '2024-05-06T00:00:00Z'`))[0]!.n));
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

test('the 6 functions live in <schema>_api: STABLE, SECURITY INVOKER, search_path pinned, named parameters, documented', async () => {
  await inSchema(async (c) => {
    const fns = await rowsOf(c, `
      SELECT p.proname, p.provolatile, p.prosecdef, p.proconfig, p.proargnames, p.proretset, obj_description(p.oid, 'pg_proc') AS doc
        FROM pg_proc p WHERE p.pronamespace = $1::regnamespace ORDER BY p.proname`, [API]);
    assert.equal(fns.map((f) => f.proname), FUNCTIONS);
    for (const f of fns) {
      assert.is(f.provolatile, 's', `${f.proname} is STABLE`);
      assert.is(f.prosecdef, false, `${f.proname} is SECURITY INVOKER`);
      assert.is(f.proretset, true, `${f.proname} returns a table`);
      assert.ok((f.proconfig as string[]).includes(`search_path=${SCHEMA}, public`), `${f.proname}: ${String(f.proconfig)}`);
      assert.ok(Array.isArray(f.proargnames) && (f.proargnames as string[]).every((n) => n !== ''), `${f.proname} has named parameters`);
      assert.ok(typeof f.doc === 'string' && f.doc.length > 80, `${f.proname} is documented`);
    }
    // Nothing was left in the data schema.
    assert.is((await rowsOf(c, `SELECT count(*)::int AS n FROM pg_proc WHERE pronamespace = $1::regnamespace`, [SCHEMA]))[0]!.n, 0);
  });
});

/** Rows as comparable text (Dates, bigint strings, jsonb objects, floats — all exact). */
const same = (a: Row[], b: Row[], what: string): void => assert.is(JSON.stringify(a), JSON.stringify(b), what);

test('search_bbox equals the base-table query (ordered by id, limits, layer filter)', async () => {
  const rng = seedrandom.alea('opt3test:bbox');
  await inSchema(async (c) => {
    let nonEmpty = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const w = drawWindow(rng, 1_000, i < 5 ? 5_000 : 30_000);
      const layer = i % 3 === 0 ? drawLayer(rng) : null;
      const maxRows = [undefined, 5, 1000][i % 3];
      const args: Record<string, unknown> = { min_lon: w.minLon, min_lat: w.minLat, max_lon: w.maxLon, max_lat: w.maxLat, layer_id: layer };
      if (maxRows !== undefined) args.max_rows = maxRows;
      const got = await rpc(c, 'search_bbox', args);
      const want = await rowsOf(c, `
        SELECT id, layer_id AS layer, created_at, updated_at, props, ST_AsGeoJSON(geom)::jsonb AS geojson FROM geometrias
         WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) AND ($5::int IS NULL OR layer_id = $5)
         ORDER BY id LIMIT $6`, [w.minLon, w.minLat, w.maxLon, w.maxLat, layer, maxRows ?? 100]);
      same(got, want, `search_bbox ${JSON.stringify(args)}`);
      if (got.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty >= SAMPLES / 2, `${nonEmpty} non-empty samples`);
  });
});

test('search_nearby equals the plain geodesic query (ST_Distance on geography <= radius_m, nearest first)', async () => {
  const rng = seedrandom.alea('opt3test:nearby');
  await inSchema(async (c) => {
    const cases = Array.from({ length: SAMPLES }, (_, i) => {
      const p = drawPoint(rng);
      return { lon: p.lon, lat: p.lat, radius_m: [250, 1_000, 5_000, 20_000][i % 4]!, layer_id: i % 3 === 1 ? drawLayer(rng) : null, max_rows: i % 2 ? 7 : 100 };
    });
    cases.push({ lon: 179.999, lat: 0, radius_m: 50_000, layer_id: null, max_rows: 10 }, { lon: -46.6, lat: 89.9, radius_m: 50_000, layer_id: null, max_rows: 10 }, { lon: -46.63, lat: -23.55, radius_m: 0, layer_id: null, max_rows: 10 });
    let nonEmpty = 0;
    for (const a of cases) {
      const got = await rpc(c, 'search_nearby', a);
      const want = await rowsOf(c, `
        SELECT id, layer_id AS layer, created_at, updated_at, props, ST_Distance(geom::geography, pt::geography) AS distance_m, ST_AsGeoJSON(geom)::jsonb AS geojson
          FROM geometrias, ST_SetSRID(ST_MakePoint($1, $2), 4326) AS pt
         WHERE ST_Distance(geom::geography, pt::geography) <= $3 AND ($4::int IS NULL OR layer_id = $4)
         ORDER BY distance_m, id LIMIT $5`, [a.lon, a.lat, a.radius_m, a.layer_id, a.max_rows]);
      same(got, want, `search_nearby ${JSON.stringify(a)}`);
      if (got.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty >= SAMPLES / 2, `${nonEmpty} non-empty samples`);
  });
});

test('search_knn equals the exact geodesic k nearest (full scan ordered by ST_Distance on geography)', async () => {
  const rng = seedrandom.alea('opt3test:knn');
  await inSchema(async (c) => {
    const cases: Array<{ lon: number; lat: number; k?: number; layer_id: number | null }> = Array.from({ length: SAMPLES }, (_, i) => {
      const p = drawPoint(rng);
      return { lon: p.lon, lat: p.lat, k: [1, 10, 37][i % 3]!, layer_id: i % 4 === 3 ? drawLayer(rng) : null };
    });
    // Far from the data (box across the antimeridian / the pole), and the default k.
    cases.push({ lon: 179.9, lat: 0, k: 3, layer_id: null }, { lon: 10, lat: 89.5, k: 3, layer_id: 50 }, { lon: -46.63, lat: -23.55, layer_id: null });
    for (const a of cases) {
      const got = await rpc(c, 'search_knn', a);
      const want = await rowsOf(c, `
        SELECT id, layer_id AS layer, created_at, updated_at, props, ST_Distance(geom::geography, pt::geography) AS distance_m, ST_AsGeoJSON(geom)::jsonb AS geojson
          FROM geometrias, ST_SetSRID(ST_MakePoint($1, $2), 4326) AS pt
         WHERE $4::int IS NULL OR layer_id = $4
         ORDER BY distance_m, id LIMIT $3`, [a.lon, a.lat, a.k ?? 10, a.layer_id]);
      assert.is(got.length, a.k ?? 10);
      same(got, want, `search_knn ${JSON.stringify(a)}`);
    }
  });
});

test('search_layer_time equals the base-table query (window, tag, bbox on the representative point)', async () => {
  const rng = seedrandom.alea('opt3test:layer_time');
  await inSchema(async (c) => {
    let nonEmpty = 0;
    for (let i = 0; i < 2 * SAMPLES; i++) {
      const w = drawDaysWindow(rng, i % 5 === 0 ? 365 : 90);
      const b = drawWindow(rng, 8_000, 40_000);
      const a: Record<string, unknown> = {
        layer_id: drawLayer(rng),
        from_ts: i % 7 === 6 ? null : isoFromSec(w.startSec),
        to_ts: i % 7 === 5 ? null : isoFromSec(w.endSec),
        tag: i % 2 === 1 ? drawTag(rng) : null,
        max_rows: i % 3 === 2 ? 3 : 100,
      };
      if (i % 4 >= 2) Object.assign(a, { min_lon: b.minLon, min_lat: b.minLat, max_lon: b.maxLon, max_lat: b.maxLat });
      const got = await rpc(c, 'search_layer_time', a);
      const want = await rowsOf(c, `
        SELECT id, layer_id AS layer, created_at, updated_at, jsonb_build_object('name', props->>'name', 'tag', props->>'tag') AS props,
               GeometryType(geom) AS geometry_type, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
          FROM geometrias
         WHERE layer_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
           AND ($4::text IS NULL OR props->>'tag' = $4)
           AND ($5::float8 IS NULL OR ST_PointOnSurface(geom) && ST_MakeEnvelope($5, $6, $7, $8, 4326))
         ORDER BY created_at DESC, id DESC LIMIT $9`,
      [a.layer_id, a.from_ts, a.to_ts, a.tag, a.min_lon ?? null, a.min_lat ?? null, a.max_lon ?? null, a.max_lat ?? null, a.max_rows]);
      same(got, want, `search_layer_time ${JSON.stringify(a)}`);
      if (got.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty >= SAMPLES, `${nonEmpty} non-empty samples`);
  });
});

const STATS_COLUMNS = `count(*) AS n,
  count(*) FILTER (WHERE ST_Dimension(geom) = 0) AS n_point, count(*) FILTER (WHERE ST_Dimension(geom) = 1) AS n_line,
  count(*) FILTER (WHERE ST_Dimension(geom) = 2) AS n_polygon, min(created_at) AS first_created_at, max(created_at) AS last_created_at,
  ST_XMin(ST_Extent(geom)) AS min_lon, ST_YMin(ST_Extent(geom)) AS min_lat, ST_XMax(ST_Extent(geom)) AS max_lon, ST_YMax(ST_Extent(geom)) AS max_lat`;

test('layer_stats equals base-table aggregates: all time with tags, and any time window (UTC days + partial edges)', async () => {
  await inSchema(async (c) => {
    for (const layer of [null, 1, 17]) {
      const got = await rpc(c, 'layer_stats', { layer_id: layer });
      const want = await rowsOf(c, `
        SELECT b.*, t.tags FROM (SELECT layer_id AS layer, ${STATS_COLUMNS} FROM geometrias WHERE $1::int IS NULL OR layer_id = $1 GROUP BY layer_id) AS b
          LEFT JOIN (SELECT layer_id, jsonb_object_agg(coalesce(tag, ''), n) AS tags
                       FROM (SELECT layer_id, props->>'tag' AS tag, count(*) AS n FROM geometrias GROUP BY 1, 2) AS x GROUP BY 1) AS t ON t.layer_id = b.layer
         ORDER BY b.layer`, [layer]);
      assert.ok(got.length > 0);
      same(got, want, `layer_stats all time, layer ${layer}`);
    }
    const rng = seedrandom.alea('opt3test:layer_stats');
    const windows: Array<[string | null, string | null]> = [
      ['2024-03-01T00:00:00Z', '2024-06-01T00:00:00Z'], // whole UTC days only
      ['2024-03-05T03:00:00Z', '2024-03-05T20:00:00Z'], // inside one day
      ['2024-03-05T23:50:00Z', '2024-03-06T00:10:00Z'], // across one midnight
      ['2024-03-05T12:00:00Z', '2024-03-07T12:00:00Z'], // two partial days, one whole
      ['2025-07-01T06:30:00Z', null], [null, '2023-02-11T13:00:00Z'], // open-ended
      ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'], ['2030-01-01T00:00:00Z', '2031-01-01T00:00:00Z'], // empty
    ];
    for (let i = 0; i < SAMPLES; i++) {
      const w = drawDaysWindow(rng, [30, 90, 1][i % 3]!);
      windows.push([isoFromSec(w.startSec), isoFromSec(w.endSec)]);
    }
    let n = 0;
    for (const [from, to] of windows) {
      for (const layer of [null, drawLayer(rng)]) {
        // A session time zone with DST must not move the UTC days.
        if (n++ % 2 === 1) await c.query(`SET TimeZone = 'Europe/Berlin'`);
        else await c.query(`SET TimeZone = 'UTC'`);
        const got = await rpc(c, 'layer_stats', { layer_id: layer, from_ts: from, to_ts: to });
        const want = await rowsOf(c, `
          SELECT layer_id AS layer, ${STATS_COLUMNS}, NULL::jsonb AS tags FROM geometrias
           WHERE ($1::int IS NULL OR layer_id = $1) AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
           GROUP BY layer_id ORDER BY layer_id`, [layer, from, to]);
        same(got, want, `layer_stats layer ${layer} [${from}, ${to})`);
      }
    }
  });
});

test('get_by_ids equals the base-table query (unknown ids skipped, repeats once)', async () => {
  const rng = seedrandom.alea('opt3test:ids');
  await inSchema(async (c) => {
    for (let i = 0; i < SAMPLES; i++) {
      const ids = [...drawIds(rng, 20, TOTAL_ROWS), 999_999_999, 1, 1];
      const got = await rpc(c, 'get_by_ids', { ids });
      const want = await rowsOf(c, `SELECT id, layer_id AS layer, created_at, updated_at, props, ST_AsGeoJSON(geom)::jsonb AS geojson FROM geometrias WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
      assert.is(got.length, new Set(ids.filter((x) => x <= TOTAL_ROWS)).size);
      same(got, want, `get_by_ids ${ids.join(',')}`);
    }
    assert.equal(await rpc(c, 'get_by_ids', { ids: [] }), []);
  });
});

test('query type routes on OPT3: exact and (with no write since the refresh) stale-bounded routes answer what the base query answers; Q1 via search_bbox is its ordered page', async () => {
  const ctx = { totalRows: TOTAL_ROWS };
  const sortRows = (rows: Row[], cols: string[]): string[] => rows.map((r) => cols.map((k) => String(r[k] instanceof Date ? (r[k] as Date).toISOString() : r[k])).join('|')).sort();
  await inSchema(async (c) => {
    await c.query(`SET search_path = ${workloadSearchPath(SCHEMA)}`);
    let checked = 0;
    for (const [name, q] of Object.entries(QUERY_TYPES)) {
      for (const [routeName, route] of Object.entries(q.routes ?? {})) {
        if (route.requires !== 'OPT3') continue; // OPT5's live routes: test/integration/queries.test.ts
        const rng = seedrandom.alea(`opt3test:route:${name}:${routeName}`);
        for (let i = 0; i < SAMPLES; i++) {
          const params = q.params(rng, ctx);
          const base = await rowsOf(c, q.sql, params);
          const routed = await rowsOf(c, route.sql, params);
          const cols = Object.keys(base[0] ?? routed[0] ?? {}).filter((k) => k in (routed[0] ?? {}));
          // Nothing was written since the views were filled: a stale-bounded route is exact right now.
          if (route.exact || route.freshness.kind === 'stale-bounded') {
            assert.ok(cols.includes('id') || cols.includes('n'), `${name} via ${routeName}: comparable columns ${cols.join(',')}`);
            assert.equal(sortRows(routed, cols), sortRows(base, cols), `${name} via ${routeName} with ${JSON.stringify(params)}`);
          } else {
            // The API's page: the lowest ids among all matching rows, as many as the base query returns.
            const all = await rowsOf(c, q.sql.replace(/LIMIT \d+\s*$/, ''), params);
            const want = all.map((r) => BigInt(String(r.id))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, base.length).map(String);
            assert.equal(routed.map((r) => String(r.id)), want, `${name} via ${routeName}`);
          }
          checked++;
        }
      }
    }
    assert.ok(checked >= 4 * SAMPLES, `${checked} routed samples`);
  });
});

test('RPC query types: the base-table equivalent and the call as rpc serve sends it give the same rows (same keys, same order)', async () => {
  const ctx = { totalRows: TOTAL_ROWS };
  await inSchema(async (c) => {
    await c.query(`SET search_path = ${workloadSearchPath(SCHEMA)}`);
    for (const t of RPC_TYPES) {
      const rng = seedrandom.alea(`opt3test:rpc-type:${t.name}`);
      let nonEmpty = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const params = t.params(rng, ctx);
        // One JSON text per row (as rpc serve asks for them): the array the API returns.
        const body = async (sql: string): Promise<Row[]> => (await rowsOf(c, sql, params)).map((r) => JSON.parse(String(r.row)) as Row);
        const base = await body(t.sql);
        const routed = await body(t.routes!.rpc!.sql);
        const key = t.fn === 'layer_stats' ? (r: Row) => `${r.layer}|${r.n}|${r.n_point}|${r.n_line}|${r.n_polygon}` : (r: Row) => String(r.id);
        assert.equal(routed.map(key), base.map(key), `${t.fn} with ${JSON.stringify(params)}`);
        assert.equal(Object.keys(routed[0] ?? {}), Object.keys(base[0] ?? routed[0] ?? {}), `${t.fn}: same columns`);
        if (base.length) nonEmpty++;
      }
      assert.ok(nonEmpty >= SAMPLES / 2, `${t.fn}: ${nonEmpty}/${SAMPLES} samples had rows`);
    }
  });
});

test('route staleness: missed rows count writes since the views were filled; age bounded by the migration that filled them', async () => {
  await inSchema(async (c) => {
    const routes = [{ queryType: 'Q7', route: 'mv' }, { queryType: 'RPC_search_layer_time', route: 'rpc' }].map(({ queryType, route }) => {
      const r = queryRoute(queryType, route);
      if (r.freshness.kind !== 'stale-bounded') throw new Error(`${queryType} via ${route} should be stale-bounded`);
      return { queryType, route, requires: r.requires, freshness: r.freshness };
    });
    const fresh = await measureRouteStaleness(c, SCHEMA, routes);
    assert.equal(fresh.map((x) => [x.missedRows, x.lastRefreshFrom, x.error]), [[0, 'migration ledger', undefined], [0, 'migration ledger', undefined]]);
    const applied = (await rowsOf(c, `SELECT applied_at FROM ${SCHEMA}.schema_migrations WHERE tag = 'OPT3'`))[0]!.applied_at as Date;
    assert.is(fresh[0]!.lastRefreshAt, applied.toISOString());
    assert.ok(fresh[0]!.ageSec! > 0);
    await c.query(`INSERT INTO ${SCHEMA}.geometrias (layer_id, created_at, updated_at, props, geom)
                   VALUES (3, '2024-05-05T10:00:00Z', '2024-05-05T10:00:00Z', '{"source": 9}', ST_SetSRID(ST_MakePoint(-46.6, -23.5), 4326)),
                          (4, '2024-05-06T10:00:00Z', '2024-05-06T10:00:00Z', '{"source": 9}', ST_SetSRID(ST_MakePoint(-46.6, -23.5), 4326))`);
    try {
      const stale = await measureRouteStaleness(c, SCHEMA, routes);
      assert.equal(stale.map((x) => x.missedRows), [2, 2]);
    } finally {
      await c.query(`DELETE FROM ${SCHEMA}.geometrias WHERE id >= 1000000000000`);
    }
  });
});

test('invalid arguments raise SQLSTATE 22023 (invalid_parameter_value) with a clear message', async () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['search_bbox', { min_lon: 1, min_lat: 0, max_lon: 0, max_lat: 1 }, /search_bbox: invalid bbox: min_lon \(1\) must be <= max_lon \(0\)/],
    ['search_bbox', { min_lon: 0, min_lat: 2, max_lon: 1, max_lat: 1 }, /invalid bbox: .*min_lat \(2\) <= max_lat \(1\)/],
    ['search_bbox', { min_lon: -181, min_lat: 0, max_lon: 1, max_lat: 1 }, /search_bbox: bbox \(-181, 0, 1, 1\) is outside longitude -180\.\.180 \/ latitude -90\.\.90/],
    ['search_bbox', { min_lon: 0, min_lat: 0, max_lon: 1, max_lat: 91 }, /outside longitude -180\.\.180 \/ latitude -90\.\.90/],
    ['search_bbox', { min_lon: Number.NaN, min_lat: 0, max_lon: 1, max_lat: 1 }, /search_bbox: the bbox coordinates must be numbers, got NaN/],
    ['search_bbox', { min_lon: 0, min_lat: 0, max_lon: Number.POSITIVE_INFINITY, max_lat: 1 }, /outside longitude/],
    ['search_bbox', { min_lon: null, min_lat: 0, max_lon: 1, max_lat: 1 }, /search_bbox: min_lon, min_lat, max_lon and max_lat are required/],
    ['search_bbox', { min_lon: 0, min_lat: 0, max_lon: 1, max_lat: 1, max_rows: 0 }, /search_bbox: max_rows must be >= 1, got 0/],
    ['search_nearby', { lon: -46.6, lat: -23.5, radius_m: -1 }, /search_nearby: radius_m must be between 0 and 50000 metres, got -1/],
    ['search_nearby', { lon: -46.6, lat: -23.5, radius_m: 50_001 }, /radius_m must be between 0 and 50000 metres, got 50001/],
    ['search_nearby', { lon: -46.6, lat: -23.5, radius_m: Number.NaN }, /radius_m must be between 0 and 50000 metres, got NaN/],
    ['search_nearby', { lon: 200, lat: -23.5, radius_m: 10 }, /search_nearby: point \(200, -23\.5\) is not a longitude in -180\.\.180 and a latitude in -90\.\.90/],
    ['search_nearby', { lon: -46.6, lat: null, radius_m: 10 }, /search_nearby: lon, lat and radius_m are required/],
    ['search_knn', { lon: Number.NaN, lat: 0 }, /search_knn: point \(NaN, 0\) is not a longitude/],
    ['search_knn', { lon: 0, lat: -90.5 }, /search_knn: point \(0, -90\.5\) is not/],
    ['search_knn', { lon: 0, lat: 0, k: 0 }, /search_knn: k must be >= 1, got 0/],
    ['search_layer_time', { layer_id: null }, /search_layer_time: layer_id is required/],
    ['search_layer_time', { layer_id: 1, from_ts: '2024-02-01T00:00:00Z', to_ts: '2024-01-01T00:00:00Z' }, /search_layer_time: invalid time window: from_ts \(2024-02-01 .*\) is after to_ts \(2024-01-01 .*\)/],
    ['search_layer_time', { layer_id: 1, min_lon: 0, min_lat: 0 }, /search_layer_time: give all of min_lon, min_lat, max_lon, max_lat or none of them/],
    ['search_layer_time', { layer_id: 1, min_lon: 5, min_lat: 0, max_lon: 4, max_lat: 1 }, /search_layer_time: invalid bbox: min_lon \(5\) must be <= max_lon \(4\)/],
    ['search_layer_time', { layer_id: 1, min_lon: 0, min_lat: -95, max_lon: 4, max_lat: 1 }, /search_layer_time: bbox .* is outside/],
    ['search_layer_time', { layer_id: 1, max_rows: -5 }, /search_layer_time: max_rows must be >= 1, got -5/],
    ['layer_stats', { from_ts: '2024-02-01T00:00:00Z', to_ts: '2024-01-31T23:59:59Z' }, /layer_stats: invalid time window: from_ts \(.*\) is after to_ts \(.*\)/],
    ['get_by_ids', { ids: null }, /get_by_ids: ids is required/],
    ['get_by_ids', { ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, /get_by_ids: at most 1000 ids per call, got 1001/],
  ];
  await inSchema(async (c) => {
    for (const [fn, args, message] of bad) {
      let error: { code?: string; message: string } | undefined;
      try {
        await rpc(c, fn, args);
      } catch (err) {
        error = err as { code?: string; message: string };
      }
      assert.ok(error, `${fn}(${JSON.stringify(args)}) should fail`);
      assert.is(error!.code, '22023', `${fn}(${JSON.stringify(args)}): ${error!.message}`);
      assert.match(error!.message, message);
    }
  });
});

test('result sizes: default 100, capped at 1000', async () => {
  await inSchema(async (c) => {
    const world = { min_lon: -180, min_lat: -90, max_lon: 180, max_lat: 90 };
    assert.is((await rpc(c, 'search_bbox', world)).length, 100);
    assert.is((await rpc(c, 'search_bbox', { ...world, max_rows: 5000 })).length, 1000);
    assert.is((await rpc(c, 'search_nearby', { lon: -46.63, lat: -23.55, radius_m: 50_000 })).length, 100);
    assert.is((await rpc(c, 'search_nearby', { lon: -46.63, lat: -23.55, radius_m: 50_000, max_rows: 100_000 })).length, 1000);
    assert.is((await rpc(c, 'search_knn', { lon: -46.63, lat: -23.55 })).length, 10);
    assert.is((await rpc(c, 'search_knn', { lon: -46.63, lat: -23.55, k: 5000 })).length, 1000);
    assert.is((await rpc(c, 'search_layer_time', { layer_id: 1 })).length, 100);
    assert.is((await rpc(c, 'search_layer_time', { layer_id: 1, max_rows: 2_000_000_000 })).length, 1000);
    assert.is((await rpc(c, 'get_by_ids', { ids: Array.from({ length: 1000 }, (_, i) => i + 1) })).length, 1000);
  });
});

test('over rpc serve (least-privilege role, SECURITY DEFINER functions) the six functions answer as over SQL', async () => {
  const target = withSchema(await testDatabase(), SCHEMA);
  const server = await startRpcProcess(target, { connections: 2 });
  try {
    const rng = seedrandom.alea('opt3-rpc');
    for (const eq of RPC_EQUIVALENTS) {
      for (let i = 0; i < 3; i++) {
        const args = eq.args(rng, TOTAL_ROWS) as Record<string, unknown>;
        const res = await fetch(`${server.url}/rpc/${eq.fn}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args) });
        const body = await res.text();
        assert.is(res.status, 200, `${eq.fn} ${JSON.stringify(args)}: ${body}`);
        const direct = await inSchema((c) => rpc(c, eq.fn, args));
        assert.is((JSON.parse(body) as unknown[]).length, direct.length, `${eq.fn}: as many rows as the SQL call`);
      }
    }
    const world = await fetch(`${server.url}/rpc/search_bbox`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ min_lon: -180, min_lat: -90, max_lon: 180, max_lat: 90, max_rows: 100_000_000 }) });
    assert.is(((await world.json()) as unknown[]).length, 1000);
  } finally {
    await server.stop();
  }
  await inSchema(async (c) => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
      WHERE p.pronamespace = '${API}'::regnamespace AND p.prosecdef AND NOT r.rolsuper AND NOT r.rolcanlogin`);
    assert.is(rows[0].n, 6, 'all six run as the NOLOGIN non-superuser definer');
  });
});

test('rollback: views, functions and the API schema are gone, the schema is as before OPT3, verify passes', async () => {
  const down = await cli('migrate', 'down', '--to', 'OPT1');
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, /rolled back: OPT3/);
  assert.equal(await catalogSnapshot(), beforeOpt3);
  await inSchema(async (c) => {
    assert.is((await rowsOf(c, 'SELECT to_regnamespace($1) AS s', [API]))[0]!.s, null);
    assert.is((await rowsOf(c, `SELECT count(*)::int AS n FROM pg_matviews WHERE schemaname = $1`, [SCHEMA]))[0]!.n, 0);
    const ledger = await rowsOf(c, `SELECT tag FROM ${SCHEMA}.schema_migrations ORDER BY version`);
    assert.equal(ledger.map((r) => r.tag), ['baseline', 'OPT1']);
  });
  const verify = await cli('dataset', 'verify');
  assert.is(verify.code, 0, verify.stderr);
});

test('a leftover <schema>_api from a regenerated data schema is replaced; anything else in it stops migration and rollback', async () => {
  assert.is((await cli('migrate', 'up', '--to', 'OPT3')).code, 0);
  // `dataset generate` drops the data schema (and its views) but not <schema>_api.
  const gen = await cli('dataset', 'generate', '--scale', SCALE, '--seed', '11');
  assert.is(gen.code, 0, gen.stderr);
  await inSchema((c) => c.query(`CREATE TABLE ${API}.not_from_opt3 (x int)`));
  const refused = await cli('migrate', 'up', '--to', 'OPT3');
  assert.is(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`schema ${API} already exists and holds objects OPT3 does not create: table ${API}\\.not_from_opt3`));
  assert.match(refused.stderr, /rolled back: schema and ledger are unchanged/);
  await inSchema((c) => c.query(`DROP TABLE ${API}.not_from_opt3`));
  // Only the six stale functions left: replaced.
  const up = await cli('migrate', 'up', '--to', 'OPT3');
  assert.is(up.code, 0, up.stderr);
  await inSchema(async (c) => {
    assert.is((await rpc(c, 'layer_stats', {})).length, 50);
    await c.query(`CREATE TABLE ${API}.not_from_opt3 (x int)`);
  });
  const down = await cli('migrate', 'down', '--to', 'OPT1');
  assert.is(down.code, 1, 'the rollback does not drop a schema holding something else');
  assert.match(down.stderr, /cannot drop schema geobench_opt3test_api because other objects depend on it/);
  await inSchema(async (c) => {
    assert.is((await rowsOf(c, `SELECT count(*)::int AS n FROM pg_matviews WHERE schemaname = $1`, [SCHEMA]))[0]!.n, 5, 'rolled back as a whole');
  });
});

test.run();
