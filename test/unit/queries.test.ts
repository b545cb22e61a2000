import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { PROBE_TYPES, QUERY_TYPES, RPC_TYPES, queryType } from '../../bench/queries/index.ts';
import { buildCall, type CatalogFunction } from '../../bench/rpc/catalog.ts';
import { RPC_EQUIVALENTS } from '../../bench/validate/rpc-equivalents.ts';
import { routesForTarget } from '../../bench/validate/route-choice.ts';
import { formatAge, worstStaleness } from '../../bench/evidence/route-staleness.ts';
import { drawMonthWindow, drawPoint, drawPolygonWkt, windowAround } from '../../bench/queries/sampling.ts';
import { CITIES, LAYER_COUNT, METERS_PER_DEGREE_LAT, TIME_END_SEC, TIME_START_SEC, citySigmaKm } from '../../bench/dataset/model.ts';

const ctx = { totalRows: 24_800 };
const rngFor = (seed: string): (() => number) => seedrandom.alea(seed);
const mPerDegLon = (lat: number): number => METERS_PER_DEGREE_LAT * Math.cos((lat * Math.PI) / 180);

function draws(name: string, n: number, seed = 'x'): unknown[][] {
  const q = queryType(name);
  const rng = rngFor(seed);
  return Array.from({ length: n }, () => q.params(rng, ctx));
}

/** Side lengths in metres recomputed from an envelope's degrees (longitude at the centre's latitude). */
function sidesM(p: unknown[], from = 0): { lon: number; lat: number } {
  const [minLon, minLat, maxLon, maxLat] = p.slice(from, from + 4) as number[];
  const lat = (minLat! + maxLat!) / 2;
  return { lon: (maxLon! - minLon!) * mPerDegLon(lat), lat: (maxLat! - minLat!) * METERS_PER_DEGREE_LAT };
}

const ms = (iso: unknown): number => {
  assert.type(iso, 'string');
  assert.match(iso as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  return Date.parse(iso as string);
};

test('registry: Q1..Q8 then W1, unique names, titles, kinds', () => {
  const names = Object.keys(QUERY_TYPES);
  assert.equal(names, ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8', 'W1']);
  assert.is(new Set(Object.values(QUERY_TYPES).map((q) => q.name)).size, names.length);
  for (const [key, q] of Object.entries(QUERY_TYPES)) {
    assert.is(q.name, key);
    assert.ok(q.title.trim().length > 10, `${q.name} has a title`);
    assert.is(q.kind, q.name === 'W1' ? 'write' : 'read');
    assert.is(queryType(key), q);
  }
});

test('SQL placeholders are exactly $1..$n where n = number of params', () => {
  for (const q of Object.values(QUERY_TYPES)) {
    const used = new Set([...q.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const n = Math.max(0, ...used);
    for (let i = 1; i <= n; i++) assert.ok(used.has(i), `${q.name} uses $${i}`);
    const rng = rngFor('placeholders');
    for (let k = 0; k < 50; k++) assert.is(q.params(rng, ctx).length, n, `${q.name}: ${n} placeholders`);
    assert.not.match(q.sql, /undefined|NaN|\$\{/, `${q.name} SQL is fixed text`);
  }
});

test('params are deterministic for a seed and differ for another seed', () => {
  for (const name of Object.keys(QUERY_TYPES)) {
    const a = draws(name, 20, 'x');
    assert.equal(draws(name, 20, 'x'), a, `${name} same seed`);
    assert.not.equal(draws(name, 20, 'y'), a, `${name} other seed`);
    for (const p of a) assert.not.ok(p.some((v) => typeof v === 'number' && !Number.isFinite(v)), `${name} finite numbers`);
  }
});

test('Q1 windows are 1–5 km on a side, Q2 40–60 km, Q6 8–12 km', () => {
  const cases: Array<[string, number, number, number]> = [['Q1', 1_000, 5_000, 0], ['Q2', 40_000, 60_000, 0], ['Q6', 8_000, 12_000, 2]];
  for (const [name, lo, hi, from] of cases) {
    let min = Infinity;
    let max = -Infinity;
    for (const p of draws(name, 2000)) {
      const s = sidesM(p, from);
      assert.ok(Math.abs(s.lon - s.lat) < 1e-6 * s.lat, `${name} square in metres (${s.lon} vs ${s.lat})`);
      min = Math.min(min, s.lat);
      max = Math.max(max, s.lat);
    }
    assert.ok(min >= lo - 1e-6 && max <= hi + 1e-6, `${name} sides ${min}..${max} within ${lo}..${hi}`);
    assert.ok(min < lo + 0.05 * (hi - lo) && max > hi - 0.05 * (hi - lo), `${name} sides span the range (${min}..${max})`);
  }
  // cos(lat) matters: at 30°S a 1 km window is wider in degrees of longitude than of latitude.
  const e = windowAround({ lon: -51, lat: -30 }, 1000);
  assert.ok(e.maxLon - e.minLon > (e.maxLat - e.minLat) * 1.15);
});

test('~80% of drawn points are within 3 sigma of a city centre (the generator\'s mix)', () => {
  const nearCity = (lon: number, lat: number): boolean =>
    CITIES.some((c, i) => {
      const dx = (lon - c.lon) * mPerDegLon(c.lat);
      const dy = (lat - c.lat) * METERS_PER_DEGREE_LAT;
      return Math.hypot(dx, dy) <= 3 * citySigmaKm(i + 1) * 1000;
    });
  const N = 5000;
  const check = (points: Array<{ lon: number; lat: number }>, label: string): void => {
    const share = points.filter((p) => nearCity(p.lon, p.lat)).length / points.length;
    assert.ok(share > 0.76 && share < 0.84, `${label}: ${share}`);
  };
  const rng = rngFor('x');
  const pts = Array.from({ length: N }, () => drawPoint(rng));
  check(pts, 'drawPoint');
  const clustered = pts.filter((p) => p.place !== 'rural').length / N;
  assert.ok(clustered > 0.78 && clustered < 0.82, `clustered share ${clustered}`);
  assert.ok(pts.filter((p) => p.place === 'Sao Paulo').length > pts.filter((p) => p.place === 'Rio de Janeiro').length, 'zipf: São Paulo first');
  check(draws('Q3', N).map(([lon, lat]) => ({ lon: lon as number, lat: lat as number })), 'Q3 points');
  check(draws('Q4', N).map(([lon, lat]) => ({ lon: lon as number, lat: lat as number })), 'Q4 points');
  check(draws('Q1', N).map((p) => ({ lon: ((p[0] as number) + (p[2] as number)) / 2, lat: ((p[1] as number) + (p[3] as number)) / 2 })), 'Q1 centres');
});

test('time windows lie inside the data range', () => {
  const start = TIME_START_SEC * 1000;
  const end = TIME_END_SEC * 1000;
  const DAY = 86_400_000;
  for (const [p] of draws('Q5', 2000)) {
    const t = ms(p);
    assert.ok(t >= start && t + 30 * DAY <= end, `Q5 ${String(p)}`);
  }
  for (const p of draws('Q6', 2000)) {
    const t = ms(p[1]);
    assert.ok(t >= start && t + 90 * DAY <= end, `Q6 ${String(p[1])}`);
    assert.ok(Number.isInteger(p[0]) && (p[0] as number) >= 1 && (p[0] as number) <= LAYER_COUNT, 'Q6 layer');
  }
  const months = new Set<string>();
  for (const [a, b] of draws('Q7', 2000)) {
    const s = new Date(ms(a));
    const e = new Date(ms(b));
    assert.ok(s.getTime() >= start && e.getTime() <= end, `Q7 ${String(a)}..${String(b)}`);
    assert.is(s.getUTCDate(), 1);
    assert.is(s.getUTCHours(), 0);
    assert.is((e.getUTCFullYear() - s.getUTCFullYear()) * 12 + e.getUTCMonth() - s.getUTCMonth(), 3, 'three calendar months');
    months.add(String(a));
  }
  assert.is(months.size, 34, 'every possible start month is drawn');
  assert.equal(drawMonthWindow(() => 0, 3), { startSec: TIME_START_SEC, endSec: Date.UTC(2023, 3, 1) / 1000 });
  assert.is(drawMonthWindow(() => 0.999999, 3).endSec, TIME_END_SEC);
  for (const p of draws('W1', 2000)) {
    const t = ms(p[1]);
    assert.ok(t >= start && t < end, `W1 ${String(p[1])}`);
  }
});

test('Q8 ids are 20 integers in [1, totalRows]', () => {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [ids] of draws('Q8', 1000)) {
    assert.ok(Array.isArray(ids));
    assert.is((ids as unknown[]).length, 20);
    for (const id of ids as number[]) {
      assert.ok(Number.isInteger(id) && id >= 1 && id <= ctx.totalRows, `id ${id}`);
      lo = Math.min(lo, id);
      hi = Math.max(hi, id);
    }
  }
  assert.ok(lo <= 10 && hi > ctx.totalRows - 10, `ids span 1..N (${lo}..${hi})`);
  const one = queryType('Q8').params(rngFor('x'), { totalRows: 1 });
  assert.equal(one, [Array(20).fill(1)]);
});

test('W1 params: layer, timestamp, props JSON with source 9, WKT point or closed polygon', () => {
  let polygons = 0;
  for (const [layer, , props, wkt] of draws('W1', 1000)) {
    assert.ok(Number.isInteger(layer) && (layer as number) >= 1 && (layer as number) <= LAYER_COUNT);
    const p = JSON.parse(props as string) as { name: string; tag: string; source: number };
    assert.is(p.source, 9);
    assert.match(p.name, /^w1 /);
    assert.ok(p.name.endsWith(p.tag));
    assert.match(wkt as string, /^(POINT\(-?[\d.e-]+ -?[\d.e-]+\)|POLYGON\(\(.*\)\))$/);
    if ((wkt as string).startsWith('POLYGON')) {
      polygons++;
      const ring = (wkt as string).slice(9, -2).split(',');
      assert.ok(ring.length >= 6 && ring.length <= 13, `ring of ${ring.length}`);
      assert.is(ring[0], ring.at(-1));
    }
  }
  assert.ok(polygons > 200 && polygons < 400, `polygons ${polygons}`);
  const poly = drawPolygonWkt(rngFor('p'), { lon: -46.6, lat: -23.5 });
  const pts = poly.slice(9, -2).split(',').map((s) => s.split(' ').map(Number) as [number, number]);
  for (const [x, y] of pts) assert.ok(Math.hypot((x + 46.6) * mPerDegLon(-23.5), (y + 23.5) * METERS_PER_DEGREE_LAT) <= 250 + 1e-6);
});

test('unknown query name: the error lists the known ones', () => {
  assert.throws(() => queryType('Q9'), (e: Error) => /unknown query type 'Q9'/.test(e.message) && /Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, W1/.test(e.message));
  assert.throws(() => queryType('toString'), /known: Q1/);
  assert.throws(() => queryType('q1'), /unknown query type 'q1'/);
});

test('routes: exact only when live; Q5/Q7 on the OPT3 view are stale-bounded, their OPT5 live routes exact', () => {
  for (const q of [...Object.values(QUERY_TYPES), ...Object.values(PROBE_TYPES)]) {
    for (const [name, r] of Object.entries(q.routes ?? {})) {
      if (r.exact) assert.is(r.freshness.kind, 'live', `${q.name} via ${name}: an exact route must read live data`);
      if (r.freshness.kind === 'stale-bounded') {
        assert.match(r.freshness.source, /^vw_geometrias_/, `${q.name} via ${name} names its view`);
        assert.match(r.freshness.missedRowsSql, /^SELECT .* AS missed$/, `${q.name} via ${name} counts missed rows`);
      }
    }
  }
  const route = (q: string, r: string) => queryType(q).routes![r]!;
  assert.equal([route('Q5', 'rpc').exact, route('Q5', 'rpc').freshness.kind], [false, 'stale-bounded']);
  assert.equal([route('Q7', 'mv').exact, route('Q7', 'mv').freshness.kind], [false, 'stale-bounded']);
  assert.equal([route('Q5', 'live').exact, route('Q5', 'live').requires, route('Q5', 'live').freshness.kind], [true, 'OPT5', 'live']);
  assert.equal([route('Q7', 'live').exact, route('Q7', 'live').requires, route('Q7', 'live').freshness.kind], [true, 'OPT5', 'live']);
  assert.match(route('Q5', 'live').sql, /geometrias_layer_day_live/);
  assert.not.match(route('Q5', 'live').sql + route('Q7', 'live').sql, /vw_geometrias/);
});

test('routesForTarget: OPT5 present → live (exact), OPT3 only → the view routes, below OPT3 → none', () => {
  const cat = ['OPT1', 'OPT2', 'OPT3', 'OPT4', 'OPT5'].map((tag) => ({ tag }));
  assert.equal(routesForTarget(cat, 'OPT5'), { Q5: 'live', Q7: 'live' });
  assert.equal(routesForTarget(cat, 'OPT4'), { Q5: 'rpc', Q7: 'mv' });
  assert.equal(routesForTarget(cat, 'OPT3'), { Q5: 'rpc', Q7: 'mv' });
  assert.equal(routesForTarget(cat, 'OPT2'), {});
  assert.equal(routesForTarget(cat.slice(0, 3), 'OPT3'), { Q5: 'rpc', Q7: 'mv' });
});

test('RPC types: one per function, the rpc route is the statement rpc serve sends (buildCall) without the schema', () => {
  assert.equal(RPC_TYPES.map((t) => t.fn), RPC_EQUIVALENTS.map((e) => e.fn));
  for (const t of RPC_TYPES) {
    assert.is(PROBE_TYPES[t.name], t);
    assert.is(queryType(t.name), t);
    const fn: CatalogFunction = { oid: 1, schema: 'geobench_x_api', name: t.fn, returnType: 'record', returnsSet: true,
      inputs: t.args.map((a) => ({ name: a.name, type: a.type, category: a.type.endsWith('[]') ? 'A' : 'N', mode: 'i' as const, hasDefault: false })) };
    const served = buildCall(fn, fn.inputs).text.replace('"geobench_x_api".', '');
    assert.is(t.routes!.rpc!.sql, served, t.fn);
    for (const sql of [t.sql, t.routes!.rpc!.sql]) {
      const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      assert.equal([...used].sort(), t.args.map((_, i) => i + 1), `${t.name}: $1..$${t.args.length}`);
      assert.match(sql, /^SELECT row_to_json\(r\.\*\)::text AS row FROM \(/, `${t.name}: one JSON text per row, as the API sends them`);
    }
  }
});

test('RPC types draw the arguments the correctness check and the HTTP load draw (max_rows aside)', () => {
  for (const t of RPC_TYPES) {
    const eq = RPC_EQUIVALENTS.find((e) => e.fn === t.fn)!;
    const a = rngFor(`same:${t.fn}`);
    const b = rngFor(`same:${t.fn}`);
    const c = rngFor(`same:${t.fn}`);
    for (let i = 0; i < 20; i++) {
      const drawn = t.draw(a, ctx.totalRows);
      const { max_rows, ...checked } = eq.args(b, ctx.totalRows);
      assert.equal(checked, drawn, t.fn);
      assert.ok(max_rows === undefined || max_rows === 1000);
      assert.equal(t.params(c, ctx), t.args.map((x) => drawn[x.name]), `${t.name}: params in argument order`);
    }
  }
});

test('worstStaleness: the worst age and missed rows over the variant\'s windows; formatAge', () => {
  const e = (ageSec: number | null, missedRows: number | null) => ({ routeStaleness: [{ queryType: 'Q7', route: 'mv', source: 'vw_geometrias_layer_day', refreshedBy: 'x', lastRefreshAt: null, lastRefreshFrom: 'migration ledger', ageSec, missedRows }] });
  const segs = [
    { variant: 'a', evidence: e(120, 3) }, { variant: 'a', evidence: e(4000, 41) }, { variant: 'a', evidence: e(null, null) },
    { variant: 'b', evidence: e(99999, 999) }, { variant: 'a', evidence: { available: false } },
  ];
  const w = worstStaleness(segs, 'a', 'Q7');
  assert.equal([w.windows, w.measured, w.maxAgeSec, w.maxMissedRows], [3, 2, 4000, 41]);
  assert.is(w.text, 'stale-bounded: answers up to 66.7 min old (vw_geometrias_layer_day, last refresh), up to 41 written row(s) missed at a window\'s end');
  assert.is(worstStaleness(segs, 'a', 'Q5').text, 'staleness not recorded');
  assert.is(worstStaleness([{ variant: 'a', evidence: e(null, null) }], 'a', 'Q7').text, 'staleness not measurable in 1 window(s)');
  assert.equal([formatAge(42), formatAge(750), formatAge(11_520)], ['42 s', '12.5 min', '3.2 h']);
});

test.run();
