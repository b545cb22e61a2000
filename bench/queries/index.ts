/**
 * The workload's query types, registered by name in workload order (Q1…Q8, then W1).
 */
import type { QueryRoute, QueryType } from './types.ts';
import { q1SmallBbox } from './q1-small-bbox.ts';
import { q2LargeWindowCount } from './q2-large-window-count.ts';
import { q3Knn } from './q3-knn.ts';
import { q4PointInPolygon } from './q4-point-in-polygon.ts';
import { q5LayerCount30d } from './q5-layer-count-30d.ts';
import { q6LayerTimeBbox } from './q6-layer-time-bbox.ts';
import { q7LayerMonthAggregate } from './q7-layer-month-aggregate.ts';
import { q8FetchByIds } from './q8-fetch-by-ids.ts';
import { w1Insert } from './w1-insert.ts';
import { s1SelectOne } from './s1-select-one.ts';
import { rpcSearchBbox } from './rpc-search-bbox.ts';
import { rpcSearchNearby } from './rpc-search-nearby.ts';
import { rpcSearchKnn } from './rpc-search-knn.ts';
import { rpcSearchLayerTime } from './rpc-search-layer-time.ts';
import { rpcLayerStats } from './rpc-layer-stats.ts';
import { rpcGetByIds } from './rpc-get-by-ids.ts';
import type { RpcQueryType } from './rpc-call.ts';
import { parseSqlQueryFile } from './sql-file.ts';
import { GeobenchError } from '../core/errors.ts';

export type { QueryContext, QueryRoute, QueryType, RouteFreshness } from './types.ts';
export type { RpcQueryType } from './rpc-call.ts';

const ALL: readonly QueryType[] = [
  q1SmallBbox, q2LargeWindowCount, q3Knn, q4PointInPolygon, q5LayerCount30d,
  q6LayerTimeBbox, q7LayerMonthAggregate, q8FetchByIds, w1Insert,
];

export const QUERY_TYPES: Readonly<Record<string, QueryType>> = Object.freeze(
  Object.fromEntries(ALL.map((q) => [q.name, q])),
);

/**
 * One query type per OPT3 RPC function, in the functions' order (base SQL = the base-table
 * equivalent, route `rpc` = the call): opt3's RPC latency KPI and the HTTP load's direct-SQL twin.
 */
export const RPC_TYPES: readonly RpcQueryType[] = Object.freeze([rpcSearchBbox, rpcSearchNearby, rpcSearchKnn, rpcSearchLayerTime, rpcLayerStats, rpcGetByIds]);

/**
 * Types that are not part of the roadmap workload mix: S1 (harness overhead probe) and the RPC
 * types above. A scenario may name them in its workload like any other.
 */
export const PROBE_TYPES: Readonly<Record<string, QueryType>> = Object.freeze(
  Object.fromEntries([s1SelectOne, ...RPC_TYPES].map((q) => [q.name, q])),
);

/** Whether `name` is a workload query type, a probe or a registered query file. */
export const isKnownQueryType = (name: string): boolean => Object.hasOwn(QUERY_TYPES, name) || Object.hasOwn(PROBE_TYPES, name) || Object.hasOwn(fileQueryTypes(), name);

/** The query type (or probe) called `name` (exact, e.g. 'Q3'); an unknown name throws, listing the known ones. */
export function queryType(name: string): QueryType {
  const files = fileQueryTypes();
  const q = Object.hasOwn(QUERY_TYPES, name) ? QUERY_TYPES[name] : Object.hasOwn(PROBE_TYPES, name) ? PROBE_TYPES[name] : Object.hasOwn(files, name) ? files[name] : undefined;
  if (!q) throw new Error(`unknown query type '${name}'; known: ${[...Object.keys(QUERY_TYPES), ...Object.keys(PROBE_TYPES)].join(', ')}`);
  return q;
}

/** The route `route` of query type `name`; an unknown route throws, listing the type's routes. */
export function queryRoute(name: string, route: string): QueryRoute {
  const routes = queryType(name).routes ?? {};
  const r = Object.hasOwn(routes, route) ? routes[route] : undefined;
  if (!r) {
    const known = Object.keys(routes);
    throw new Error(`query type ${name} has no route '${route}'; ${known.length ? `its routes: ${known.join(', ')}` : 'it has no routes'}`);
  }
  return r;
}

/**
 * The query type `name` as a variant runs it: with the route's SQL when `route` is given (same
 * name, title and parameters — the workload is unchanged, only the way it is answered).
 */
export function routedQueryType(name: string, route?: string): QueryType {
  const q = queryType(name);
  if (route === undefined) return q;
  const r = queryRoute(name, route);
  return { ...q, title: `${q.title} — via ${r.title}`, sql: r.sql, routes: undefined };
}

/**
 * Query types from `.sql` files (a scenario's `queryFiles`), by name. Registered through the
 * environment (GEOBENCH_QUERY_FILES, name → absolute path) so load worker threads, which get a copy
 * of it, parse the same files; parsed once per thread.
 */
let fileTypes: { key: string; types: Record<string, QueryType> } | undefined;
export function fileQueryTypes(): Readonly<Record<string, QueryType>> {
  const key = process.env.GEOBENCH_QUERY_FILES ?? '';
  if (fileTypes?.key !== key) {
    const map = key ? (JSON.parse(key) as Record<string, string>) : {};
    fileTypes = { key, types: Object.fromEntries(Object.entries(map).map(([name, file]) => [name, parseSqlQueryFile(name, file)])) };
  }
  return fileTypes.types;
}

/** Registers query files (name → path); each is parsed and validated now (exit 2 naming file and line). */
export function registerQueryFiles(files: Readonly<Record<string, string>>): void {
  const merged = { ...(process.env.GEOBENCH_QUERY_FILES ? (JSON.parse(process.env.GEOBENCH_QUERY_FILES) as Record<string, string>) : {}) };
  for (const [name, file] of Object.entries(files)) {
    if (Object.hasOwn(QUERY_TYPES, name) || Object.hasOwn(PROBE_TYPES, name)) throw new GeobenchError(`query file ${file}: '${name}' is a built-in query type; pick another name`, { exitCode: 2 });
    parseSqlQueryFile(name, file);
    merged[name] = file;
  }
  process.env.GEOBENCH_QUERY_FILES = JSON.stringify(merged);
}
