/**
 * Maintenance events marked on the time-series charts (a VACUUM, a materialized-view refresh, a
 * partition created by pg_partman …). Optional input: a result without events gets no marks.
 *
 * Where they come from, all optional and concatenated: an `events` array in result.json, one in
 * validation.json, and an `events.json` file (an array) in the run folder — the last one lets a
 * tool that ran beside the benchmark add events without rewriting a result file.
 *
 * ```text
 * { "at": 12.5,                     seconds since the measurement start of the segment(s), or
 *   "at": "2026-11-26T03:58:31Z",   an ISO 8601 instant
 *   "label": "REFRESH MATERIALIZED VIEW mv_layer_stats",
 *   "variant": "opt5",              optional: only that variant's segments (default: every variant)
 *   "repetition": 2 }               optional: only that repetition (default: every repetition)
 * ```
 *
 * An ISO instant is placed only on a segment whose wall-clock measurement window is known
 * (`segments[].measureStartedAt`, ISO, with `measuredSec`) and contains it; otherwise the event is
 * listed in the report as "not placed" — never guessed onto the axis.
 */
import type { SegmentRecord } from '../formats/run-result.ts';

export interface ReportEvent {
  readonly at: number | string;
  readonly label: string;
  readonly variant: string | null;
  readonly repetition: number | null;
  /** Which file it came from, for messages. */
  readonly source: string;
}

/** An event placed on the time axis of one segment: seconds since its measurement start. */
export interface PlacedEvent {
  readonly event: ReportEvent;
  readonly variant: string;
  readonly repetition: number;
  readonly atSec: number;
}

export interface EventPlacement {
  readonly placed: PlacedEvent[];
  /** Events that could not be placed, with the reason. */
  readonly unplaced: Array<{ readonly event: ReportEvent; readonly reason: string }>;
}

/**
 * Validates a raw `events` value. Entries that are not events are skipped with a problem line
 * naming the source and the index; `undefined` (no events) gives nothing.
 */
export function parseEvents(raw: unknown, source: string): { events: ReportEvent[]; problems: string[] } {
  if (raw === undefined || raw === null) return { events: [], problems: [] };
  if (!Array.isArray(raw)) return { events: [], problems: [`${source}: events must be an array, got ${typeof raw}`] };
  const events: ReportEvent[] = [];
  const problems: string[] = [];
  raw.forEach((e: unknown, i) => {
    const bad = (why: string): void => void problems.push(`${source}: events[${i}] ${why}; skipped`);
    if (typeof e !== 'object' || e === null) return bad('is not an object');
    const r = e as Record<string, unknown>;
    if (typeof r.label !== 'string' || r.label.trim() === '') return bad('needs a non-empty "label"');
    let at: number | string;
    if (typeof r.at === 'number' && Number.isFinite(r.at) && r.at >= 0) at = r.at;
    else if (typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at))) at = r.at;
    else return bad('needs "at": seconds >= 0 since the measurement start, or an ISO 8601 instant');
    if (r.variant !== undefined && typeof r.variant !== 'string') return bad('"variant" must be a string');
    if (r.repetition !== undefined && !(Number.isInteger(r.repetition) && (r.repetition as number) >= 1)) return bad('"repetition" must be an integer >= 1');
    events.push({ at, label: r.label, variant: (r.variant as string | undefined) ?? null, repetition: (r.repetition as number | undefined) ?? null, source });
  });
  return { events, problems };
}

type SegmentClock = Pick<SegmentRecord, 'variant' | 'repetition' | 'measuredSec'> & { readonly measureStartedAt?: unknown };

/** Places events on the segments' time axes (seconds since each measurement start). Pure. */
export function placeEvents(events: readonly ReportEvent[], segments: readonly SegmentClock[]): EventPlacement {
  const placed: PlacedEvent[] = [];
  const unplaced: EventPlacement['unplaced'] = [];
  for (const event of events) {
    const matching = segments.filter((s) => (event.variant === null || s.variant === event.variant) && (event.repetition === null || s.repetition === event.repetition));
    if (matching.length === 0) {
      unplaced.push({ event, reason: 'no measured segment matches its variant/repetition' });
      continue;
    }
    if (typeof event.at === 'number') {
      const at = event.at;
      const inside = matching.filter((s) => at <= s.measuredSec);
      if (inside.length === 0) unplaced.push({ event, reason: `${at} s is after the end of the measurement` });
      for (const s of inside) placed.push({ event, variant: s.variant, repetition: s.repetition, atSec: at });
      continue;
    }
    const instant = Date.parse(event.at);
    const clocked = matching.filter((s) => typeof s.measureStartedAt === 'string' && !Number.isNaN(Date.parse(s.measureStartedAt)));
    if (clocked.length === 0) {
      unplaced.push({ event, reason: 'the result does not record when each segment was measured (segments[].measureStartedAt), so an ISO time cannot be placed' });
      continue;
    }
    const hit = clocked.find((s) => {
      const offset = (instant - Date.parse(s.measureStartedAt as string)) / 1000;
      return offset >= 0 && offset <= s.measuredSec;
    });
    if (!hit) unplaced.push({ event, reason: 'it falls outside every measured segment' });
    else placed.push({ event, variant: hit.variant, repetition: hit.repetition, atSec: (instant - Date.parse(hit.measureStartedAt as string)) / 1000 });
  }
  return { placed, unplaced };
}
