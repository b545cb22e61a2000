/**
 * The workload's query types, registered by name in workload order (Q1…Q8, then W1).
 */
import type { QueryType } from './types.ts';
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

export type { QueryContext, QueryType } from './types.ts';

const ALL: readonly QueryType[] = [
  q1SmallBbox, q2LargeWindowCount, q3Knn, q4PointInPolygon, q5LayerCount30d,
  q6LayerTimeBbox, q7LayerMonthAggregate, q8FetchByIds, w1Insert,
];

export const QUERY_TYPES: Readonly<Record<string, QueryType>> = Object.freeze(
  Object.fromEntries(ALL.map((q) => [q.name, q])),
);

/** Probes that are not part of the roadmap workload (harness overhead measurements). */
export const PROBE_TYPES: Readonly<Record<string, QueryType>> = Object.freeze({ [s1SelectOne.name]: s1SelectOne });

/** Whether `name` is a workload query type or a probe. */
export const isKnownQueryType = (name: string): boolean => Object.hasOwn(QUERY_TYPES, name) || Object.hasOwn(PROBE_TYPES, name);

/** The query type (or probe) called `name` (exact, e.g. 'Q3'); an unknown name throws, listing the known ones. */
export function queryType(name: string): QueryType {
  const q = Object.hasOwn(QUERY_TYPES, name) ? QUERY_TYPES[name] : Object.hasOwn(PROBE_TYPES, name) ? PROBE_TYPES[name] : undefined;
  if (!q) throw new Error(`unknown query type '${name}'; known: ${[...Object.keys(QUERY_TYPES), ...Object.keys(PROBE_TYPES)].join(', ')}`);
  return q;
}
