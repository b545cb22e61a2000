/**
 * The functions `geobench rpc serve` exposes: those of one API schema, read from pg_proc, and the
 * SQL that calls one of them. Everything that ends up in SQL text comes from the catalog
 * (identifiers, quoted; type names from format_type); request values only ever travel as bound
 * parameters `$n`, each cast to the argument's declared type.
 */
import { createHash } from 'node:crypto';
import { apiError, type ErrorResult } from './errors.ts';

export type ArgMode = 'i' | 'o' | 'b' | 'v' | 't';

export interface CatalogArg {
  /** '' for an unnamed argument (such an argument cannot be passed by name). */
  readonly name: string;
  /** format_type() of the declared type: quoted and schema-qualified where needed. */
  readonly type: string;
  /** pg_type.typcategory: 'A' array, 'N' numeric, 'S' string, 'U' user-defined (json, jsonb, geometry) … */
  readonly category: string;
  readonly mode: ArgMode;
  /** An input argument that may be left out (it has a DEFAULT). */
  readonly hasDefault: boolean;
}

export interface CatalogFunction {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** Input arguments (IN, INOUT, VARIADIC) in declaration order. */
  readonly inputs: readonly CatalogArg[];
  readonly returnType: string;
  readonly returnsSet: boolean;
}

/** Plain functions (no procedures, aggregates, window or trigger functions) of schema $1. */
export const CATALOG_SQL = `SELECT p.oid::int8 AS oid, p.proname AS name, p.proretset AS returns_set, p.pronargdefaults AS n_defaults,
       format_type(p.prorettype, NULL) AS return_type,
       coalesce((SELECT json_agg(json_build_object('name', coalesce(p.proargnames[a.i], ''), 'type', format_type(a.t, NULL),
                                                   'mode', coalesce(p.proargmodes[a.i], 'i'), 'category', ty.typcategory) ORDER BY a.i)
                   FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS a(t, i)
                   JOIN pg_type ty ON ty.oid = a.t), '[]') AS args
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.prokind = 'f'
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
 ORDER BY p.proname, p.oid`;

export interface CatalogRow {
  oid: string | number;
  name: string;
  returns_set: boolean;
  n_defaults: number;
  return_type: string;
  args: { name: string; type: string; mode: string; category: string }[];
}

/** Turns CATALOG_SQL rows into functions; the last `n_defaults` inputs have defaults. */
export function functionsFromRows(schema: string, rows: readonly CatalogRow[]): CatalogFunction[] {
  return rows.map((row) => {
    const raw = row.args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
    const firstDefault = raw.length - row.n_defaults;
    const inputs = raw.map((a, i): CatalogArg => ({ name: a.name, type: a.type, category: a.category, mode: a.mode as ArgMode, hasDefault: i >= firstDefault }));
    return { oid: Number(row.oid), schema, name: row.name, inputs, returnType: row.return_type, returnsSet: row.returns_set };
  });
}

/** A double-quoted SQL identifier. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `name(a integer, b text DEFAULT …)`, for messages. */
export const signature = (fn: CatalogFunction): string =>
  `${fn.schema}.${fn.name}(${fn.inputs.map((a) => `${a.mode === 'v' ? 'VARIADIC ' : ''}${a.name || '<unnamed>'} ${a.type}${a.hasDefault ? ' DEFAULT …' : ''}`).join(', ')})`;

/**
 * The functions of one schema by name, loaded at start and reloaded when a name is not found
 * (a function created after the start), at most once per `minRefreshMs`; concurrent misses share
 * one reload.
 */
export class FunctionCatalog {
  private byName = new Map<string, CatalogFunction[]>();
  private lastLoad = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    readonly schema: string,
    private readonly load: () => Promise<CatalogFunction[]>,
    private readonly minRefreshMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.byName.size;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** (Re)loads the catalog now; a load already running is shared. */
  refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const fns = await this.load();
        const next = new Map<string, CatalogFunction[]>();
        for (const fn of fns) next.set(fn.name, [...(next.get(fn.name) ?? []), fn]);
        this.byName = next;
        this.lastLoad = this.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** The overloads named `name`, reloading once on a miss. Throws when the reload fails. */
  async lookup(name: string): Promise<readonly CatalogFunction[] | undefined> {
    const hit = this.byName.get(name);
    if (hit) return hit;
    if (this.loading) await this.loading;
    else if (this.now() - this.lastLoad >= this.minRefreshMs) await this.refresh();
    return this.byName.get(name);
  }
}

export type Resolved = { readonly fn: CatalogFunction; readonly args: readonly CatalogArg[] };

/**
 * Picks the overload whose named inputs fit the body's keys: every key names an input, every
 * input without a default is given. None fits → 400 (unknown or missing argument, PGRST202);
 * more than one → 300 (PGRST203, as PostgREST).
 */
export function resolveCall(candidates: readonly CatalogFunction[], body: Readonly<Record<string, unknown>>): Resolved | ErrorResult {
  const keys = Object.keys(body);
  const fits: Resolved[] = [];
  let closest: { fn: CatalogFunction; unknown: string[]; missing: string[] } | undefined;
  for (const fn of candidates) {
    const names = new Set(fn.inputs.map((a) => a.name).filter(Boolean));
    const unknown = keys.filter((k) => !names.has(k));
    const missing = fn.inputs.filter((a) => !a.hasDefault && (a.name === '' || !Object.hasOwn(body, a.name))).map((a) => a.name || '<unnamed>');
    if (unknown.length === 0 && missing.length === 0) fits.push({ fn, args: fn.inputs.filter((a) => a.name !== '' && Object.hasOwn(body, a.name)) });
    else if (!closest || unknown.length + missing.length < closest.unknown.length + closest.missing.length) closest = { fn, unknown, missing };
  }
  if (fits.length === 1) return fits[0]!;
  const first = candidates[0]!;
  const called = `${first.schema}.${first.name}(${keys.join(', ')})`;
  if (fits.length > 1) {
    return apiError(300, 'PGRST203', `Could not choose the best candidate function between: ${fits.map((f) => signature(f.fn)).join(', ')}`, null, 'name the arguments of one overload only, or rename the functions');
  }
  const c = closest!;
  const parts = [
    c.unknown.length ? `unknown argument${c.unknown.length > 1 ? 's' : ''} ${c.unknown.map((k) => JSON.stringify(k)).join(', ')}` : '',
    c.missing.length ? `missing required argument${c.missing.length > 1 ? 's' : ''} ${c.missing.map((k) => JSON.stringify(k)).join(', ')}` : '',
  ].filter(Boolean);
  return apiError(400, 'PGRST202', `Could not find the function ${called} with these arguments: ${parts.join('; ')}`, null,
    `${candidates.length > 1 ? 'candidates' : 'the function is'}: ${candidates.map(signature).join(', ')}`);
}

const isJsonType = (arg: CatalogArg): boolean => /^(json|jsonb)$/.test(arg.type);

/** A JS array as a PostgreSQL array literal; every element quoted, nested arrays kept. */
export function toArrayLiteral(value: readonly unknown[]): string {
  const item = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return toArrayLiteral(v);
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${s.replace(/["\\]/g, '\\$&')}"`;
  };
  return `{${value.map(item).join(',')}}`;
}

/**
 * One JSON value as the text of a bound parameter, to be cast to the argument's declared type by
 * the server: json/jsonb get JSON text, arrays an array literal, objects JSON text (GeoJSON casts
 * to geometry), scalars their text; null is SQL NULL. The cast decides whether it fits (22P02 …).
 */
export function encodeArgValue(value: unknown, arg: CatalogArg): string | null {
  if (value === null || value === undefined) return null;
  if (isJsonType(arg)) return JSON.stringify(value);
  if (Array.isArray(value)) return arg.category === 'A' ? toArrayLiteral(value) : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface CallStatement {
  /** Prepared-statement name: derived from the text, so equal calls share one per connection. */
  readonly name: string;
  readonly text: string;
}

/**
 * `SELECT row_to_json(r.*)::text AS row FROM (SELECT * FROM "schema"."fn"("a" => $1::integer, …)) AS r`:
 * PostgreSQL renders each row as a PostgREST-style JSON object (bigint stays a number, geometry
 * becomes GeoJSON, timestamps ISO 8601); the server joins them into the response array
 * (server.ts). Arguments appear in declaration order so the text does not depend on JSON key
 * order, and one named prepared statement serves every call of a function.
 */
export function buildCall(fn: CatalogFunction, args: readonly CatalogArg[], maxRows?: number): CallStatement {
  const list = args.map((a, i) => `${a.mode === 'v' ? 'VARIADIC ' : ''}${quoteIdent(a.name)} => $${i + 1}::${a.type}`).join(', ');
  // The server-wide row cap (PostgREST's db-max-rows): the server stops the function's rows there,
  // so neither PostgreSQL nor node ever holds a larger response. An integer, never request input.
  const cap = maxRows === undefined ? '' : ` LIMIT ${Math.trunc(maxRows)}`;
  // One JSON text per row: the server joins them into the response array (server.ts).
  const text = `SELECT row_to_json(r.*)::text AS row FROM (SELECT * FROM ${quoteIdent(fn.schema)}.${quoteIdent(fn.name)}(${list})${cap}) AS r`;
  return { name: `gbrpc_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text };
}
