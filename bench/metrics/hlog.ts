/**
 * HdrHistogram interval logs (`.hlog`, format 1.3) for a run, so latency
 * data can be re-analysed with standard tools (HistogramLogAnalyzer,
 * HdrHistogram's HistogramLogProcessor, hdr-plot).
 *
 * One line per (interval, variant, repetition, query type), tagged
 * `variant=<v>;rep=<n>;q=<query type>`. Values are µs; the Interval_Max
 * column is in ms (max / 1000), the usual unit ratio for µs logs.
 * Producing the log is pure: the result is a string; the caller writes it.
 */
import { HistogramLogReader, HistogramLogWriter } from 'hdr-histogram-js';
import type { LatencyHistogram } from './histogram.ts';
import { mergeIntervals, validateReports, type IntervalReport } from './timeline.ts';

/** What a log line's tag identifies. */
export interface HlogKey {
  variant: string;
  repetition: number;
  queryType: string;
}

// Log fields are split on commas (and whitespace by the Java reader), and our
// tag uses ';' and '=' as separators, so components are restricted to these.
const TAG_COMPONENT = /^[A-Za-z0-9_.:+\-]+$/;

/**
 * Formats the tag of a key: `variant=baseline;rep=1;q=Q1`.
 * @throws if a component contains anything but letters, digits and `_ . : + -`
 *   (HdrHistogram tags cannot hold commas or whitespace; `;` and `=` are our separators).
 */
export function formatTag(key: HlogKey): string {
  for (const [name, value] of [['variant', key.variant], ['query type', key.queryType]] as const) {
    if (!TAG_COMPONENT.test(value)) {
      throw new Error(`${name} "${value}" cannot be used in an HdrHistogram log tag: only letters, digits and _ . : + - are allowed`);
    }
  }
  if (!Number.isInteger(key.repetition) || key.repetition < 0) {
    throw new Error(`repetition ${key.repetition} must be a non-negative integer`);
  }
  return `variant=${key.variant};rep=${key.repetition};q=${key.queryType}`;
}

/** Parses a tag made by {@link formatTag}; any other tag (e.g. from a foreign log) yields null. */
export function parseTag(tag: string): HlogKey | null {
  const m = /^variant=([^;=]+);rep=(\d+);q=([^;=]+)$/.exec(tag);
  if (!m) return null;
  return { variant: m[1]!, repetition: Number(m[2]), queryType: m[3]! };
}

/** Options for {@link writeHistogramLog}. */
export interface WriteHlogOptions {
  /** Wall-clock time of measurement start (interval 0), ms since the epoch. */
  startTimeMs: number;
  /** Interval length in seconds; default 1. */
  intervalSec?: number;
  /** Comment lines written after the header (no line breaks). */
  comments?: readonly string[];
}

/**
 * Writes an HdrHistogram interval log from interval reports. Reports of the
 * same (interval, variant, repetition, query type) — several workers — are
 * merged into one line. Timestamps are relative to `startTimeMs`, which is
 * written as both StartTime and BaseTime, so readers can recover absolute times.
 */
export function writeHistogramLog(reports: readonly IntervalReport[], options: WriteHlogOptions): string {
  const intervalSec = options.intervalSec ?? 1;
  if (!(intervalSec > 0)) throw new Error(`intervalSec must be > 0, got ${intervalSec}`);
  if (!Number.isFinite(options.startTimeMs) || options.startTimeMs < 0) {
    throw new Error(`startTimeMs must be ms since the epoch, got ${options.startTimeMs}`);
  }
  let out = '';
  const writer = new HistogramLogWriter((chunk) => {
    out += chunk;
  });
  writer.outputLogFormatVersion();
  for (const comment of options.comments ?? []) {
    if (/[\r\n]/.test(comment)) throw new Error(`hlog comment must be a single line: ${JSON.stringify(comment)}`);
    writer.outputComment(comment);
  }
  writer.outputComment('[values in microseconds; Interval_Max in milliseconds]');
  // Written by hand: the library's outputStartTime prints a timezone-dependent
  // Date string and a stray blank line; ISO keeps the output reproducible.
  const startSec = (options.startTimeMs / 1000).toFixed(3);
  const iso = new Date(options.startTimeMs).toISOString();
  writer.outputComment(`[StartTime: ${startSec} (seconds since epoch), ${iso}]`);
  writer.outputComment(`[BaseTime: ${startSec} (seconds since epoch)]`);
  writer.outputLegend();
  for (const m of mergeIntervals(validateReports(reports))) {
    m.histogram.tag = formatTag(m);
    const start = m.intervalIndex * intervalSec;
    writer.outputIntervalHistogram(m.histogram, start, start + intervalSec, 1000);
  }
  return out;
}

/** One interval line read back from a log. */
export interface HlogInterval {
  /** Raw tag, or null for an untagged line. */
  tag: string | null;
  /** Parsed geobench tag, or null if the tag is absent or foreign. */
  key: HlogKey | null;
  /** Interval start relative to the log's StartTime (or BaseTime), seconds, ms precision. */
  startOffsetSec: number;
  lengthSec: number;
  histogram: LatencyHistogram;
}

/** A parsed interval log. */
export interface ParsedHistogramLog {
  /** From the `#[StartTime: …]` line; null if the log has none. */
  startTimeMs: number | null;
  intervals: HlogInterval[];
}

/**
 * Reads an HdrHistogram interval log (ours or any V2-compressed one) back
 * into histograms. Comment, legend and blank lines are skipped.
 */
export function readHistogramLog(text: string): ParsedHistogramLog {
  const reader = new HistogramLogReader(text, 64, false);
  const intervals: HlogInterval[] = [];
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    // Built with useWebAssembly=false and 64-bit counters, so this is a JS latency histogram.
    const histogram = h as LatencyHistogram;
    // Reader stamps absolute times; rebase on StartTime when present, else BaseTime.
    const originSec = Number.isFinite(reader.startTimeSec) ? reader.startTimeSec : reader.baseTimeSec || 0;
    const tag = h.tag === 'NO TAG' ? null : h.tag;
    intervals.push({
      tag,
      key: tag === null ? null : parseTag(tag),
      startOffsetSec: roundMs(h.startTimeStampMsec / 1000 - originSec),
      lengthSec: roundMs((h.endTimeStampMsec - h.startTimeStampMsec) / 1000),
      histogram,
    });
  }
  const startTimeMs = Number.isFinite(reader.startTimeSec) ? Math.round(reader.startTimeSec * 1000) : null;
  return { startTimeMs, intervals };
}

const roundMs = (sec: number): number => Math.round(sec * 1000) / 1000;
