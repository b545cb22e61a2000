import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { splitStatements } from '../migrate/sql-split.ts';
import { LIVE } from './freshness.ts';
import { drawIds, drawInstantSec, drawLayer, drawPoint, isoFromSec, uniform, uniformInt, windowAround, type Point, type Rng } from './sampling.ts';
import type { QueryContext, QueryRoute, QueryType } from './types.ts';

/**
 * A query type from a `.sql` file: the statement with $n parameters under a header of `-- @` lines:
 *
 *   -- @title parcels of one layer near a point
 *   -- @kind read                        (read | write)
 *   -- @param $1 point                   a location (EWKT text: $1::geometry)
 *   -- @param $2 box 2000                a square of 2000 m around a location (EWKT polygon)
 *   -- @param $3 layer                   a layer id
 *   -- @param $4,$5 time_window 30d      start and end (ISO text: $4::timestamptz); s, h, d
 *   -- @param $6 id                      a dataset id 1..N
 *   -- @param $7 constant 100            a number or text
 *   -- @param $8 range 1 50              uniform; integers when both bounds are
 *   -- @route fast live OPT1 fast.sql    another SQL text (same parameters), needing a migration tag
 *
 * Locations, layers and times come from the dataset's parameter sample (real rows, taken once at
 * import: bench/dataset/param-sample.ts) when the context has one, else from the synthetic model.
 * Every mistake is a usage error naming the file and line.
 */
type Generator = (rng: Rng, ctx: QueryContext) => unknown[];

const fail = (file: string, line: number, message: string): never => {
  throw new GeobenchError(`${path.basename(file)}:${line}: ${message}`, { exitCode: 2, hint: 'header lines: -- @title, -- @kind read|write, -- @param $n <generator>, -- @route <name> live <TAG> <file.sql> (see docs/load-engine.md)' });
};

function anchor(rng: Rng, ctx: QueryContext): Point & { layerId: number; createdSec: number } {
  const sample = ctx.sample;
  if (sample && sample.length > 0) return sample[Math.floor(rng() * sample.length)]!;
  const p = drawPoint(rng);
  return { lon: p.lon, lat: p.lat, layerId: drawLayer(rng), createdSec: drawInstantSec(rng) };
}

const UNIT_SEC: Record<string, number> = { s: 1, h: 3600, d: 86_400 };

function generator(file: string, line: number, kind: string, args: string[], arity: number): Generator {
  const want = (n: number, params: number): void => {
    if (args.length !== n) fail(file, line, `${kind} takes ${n} argument(s), got ${args.length}`);
    if (arity !== params) fail(file, line, `${kind} fills ${params} parameter(s), ${arity} named`);
  };
  const num = (text: string): number => {
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) fail(file, line, `'${text}' is not a number`);
    return v;
  };
  switch (kind) {
    case 'point':
      want(0, 1);
      return (rng, ctx) => {
        const a = anchor(rng, ctx);
        return [`SRID=4326;POINT(${a.lon} ${a.lat})`];
      };
    case 'box': {
      want(1, 1);
      const side = num(args[0]!);
      if (side <= 0) fail(file, line, 'box size must be > 0 metres');
      return (rng, ctx) => {
        const e = windowAround(anchor(rng, ctx), side);
        return [`SRID=4326;POLYGON((${e.minLon} ${e.minLat},${e.maxLon} ${e.minLat},${e.maxLon} ${e.maxLat},${e.minLon} ${e.maxLat},${e.minLon} ${e.minLat}))`];
      };
    }
    case 'layer':
      want(0, 1);
      return (rng, ctx) => [anchor(rng, ctx).layerId];
    case 'time_window': {
      want(1, 2);
      const m = /^(\d+)([shd])$/.exec(args[0]!);
      if (!m) fail(file, line, `time_window length '${args[0]}' is not <n>s, <n>h or <n>d`);
      const seconds = Number(m![1]) * UNIT_SEC[m![2]!]!;
      // The window ends at a real row's created_at, so it holds at least that row.
      return (rng, ctx) => {
        const end = anchor(rng, ctx).createdSec + 1;
        return [isoFromSec(end - seconds), isoFromSec(end)];
      };
    }
    case 'id':
      want(0, 1);
      return (rng, ctx) => drawIds(rng, 1, ctx.totalRows);
    case 'constant': {
      if (args.length === 0) fail(file, line, 'constant needs a value');
      want(args.length, 1);
      const text = args.join(' ');
      const value = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
      return () => [value];
    }
    case 'range': {
      want(2, 1);
      const [lo, hi] = [num(args[0]!), num(args[1]!)];
      if (!(lo <= hi)) fail(file, line, `range ${lo} ${hi}: the lower bound is above the upper`);
      const ints = Number.isInteger(lo) && Number.isInteger(hi);
      return (rng) => [ints ? uniformInt(rng, lo, hi) : uniform(rng, lo, hi)];
    }
    default:
      return fail(file, line, `unknown generator '${kind}' (point, box, layer, time_window, id, constant, range)`);
  }
}

const placeholders = (sql: string): Set<number> => new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));

function singleStatement(file: string, line: number, text: string): string {
  const statements = splitStatements(text);
  if (statements.length !== 1) fail(file, line, `expected one SQL statement, found ${statements.length}`);
  return statements[0]!.text;
}

/** Parses and validates one query file; `name` is what scenarios and reports call it. */
export function parseSqlQueryFile(name: string, file: string): QueryType {
  if (!fs.existsSync(file)) throw new GeobenchError(`query file ${file} (query type ${name}) not found`, { exitCode: 2 });
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  let title: string | undefined;
  let kind: 'read' | 'write' | undefined;
  const slots = new Map<number, { gen: Generator; line: number }>();
  const gens: Array<{ params: number[]; gen: Generator }> = [];
  const routes: Record<string, QueryRoute> = {};
  let bodyStart = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    const lineNo = i + 1;
    if (raw === '' || (raw.startsWith('--') && !raw.startsWith('-- @'))) continue;
    if (!raw.startsWith('-- @')) {
      bodyStart = i;
      break;
    }
    const [directive, ...rest] = raw.slice(4).trim().split(/\s+/);
    if (directive === 'title') title = rest.join(' ');
    else if (directive === 'kind') {
      if (rest[0] !== 'read' && rest[0] !== 'write') fail(file, lineNo, `@kind must be read or write, got '${rest.join(' ')}'`);
      kind = rest[0] as 'read' | 'write';
    } else if (directive === 'param') {
      const [list, gkind, ...args] = rest;
      if (!list || !/^\$\d+(,\$\d+)*$/.test(list)) fail(file, lineNo, `@param needs $n (or $n,$m) first, got '${list ?? ''}'`);
      if (!gkind) fail(file, lineNo, '@param needs a generator after the parameter(s)');
      const params = list!.split(',').map((p) => Number(p.slice(1)));
      const gen = generator(file, lineNo, gkind!, args, params.length);
      for (const p of params) {
        if (slots.has(p)) fail(file, lineNo, `$${p} already has a generator (line ${slots.get(p)!.line})`);
        slots.set(p, { gen, line: lineNo });
      }
      gens.push({ params, gen });
    } else if (directive === 'route') {
      const [routeName, freshness, requires, routeFile] = rest;
      if (!routeName || freshness !== 'live' || !requires || !routeFile) fail(file, lineNo, '@route needs <name> live <migration tag> <file.sql> (stale-bounded routes need a refresh measurement: not supported in query files)');
      const routePath = path.resolve(path.dirname(file), routeFile!);
      if (!fs.existsSync(routePath)) fail(file, lineNo, `route file ${routeFile} not found`);
      routes[routeName!] = { title: `${routeName} (${routeFile})`, requires: requires!, exact: false, freshness: LIVE, sql: singleStatement(routePath, 1, fs.readFileSync(routePath, 'utf8')) };
    } else fail(file, lineNo, `unknown header line '@${directive}' (title, kind, param, route)`);
  }
  if (!kind) fail(file, 1, 'the header has no -- @kind read|write line');
  const sql = singleStatement(file, bodyStart + 1, lines.slice(bodyStart).join('\n'));
  const used = placeholders(sql);
  const count = used.size === 0 ? 0 : Math.max(...used);
  for (let p = 1; p <= count; p++) {
    if (!used.has(p)) fail(file, bodyStart + 1, `the statement skips $${p} (parameters must be $1..$${count})`);
    if (!slots.has(p)) fail(file, bodyStart + 1, `$${p} is used in the statement but has no -- @param line`);
  }
  for (const [p, s] of slots) if (!used.has(p)) fail(file, s.line, `$${p} has a generator but the statement does not use it`);
  for (const [routeName, r] of Object.entries(routes)) {
    for (const p of placeholders(r.sql)) if (p > count) fail(file, 1, `route ${routeName} uses $${p}, the statement only $1..$${count}`);
  }
  return {
    name,
    title: title ?? `${path.basename(file)} (query file)`,
    kind: kind!,
    sql,
    params(rng, ctx) {
      const values: unknown[] = new Array(count);
      for (const g of gens) g.gen(rng, ctx).forEach((v, i) => (values[g.params[i]! - 1] = v));
      return values;
    },
    ...(Object.keys(routes).length ? { routes } : {}),
  };
}
