import type { CronStatus, IndexStatus, MigrationStatus, PartitionTree, StatusReport } from './model.ts';

/** Plain-text rendering of a status report (pure: same report, same text). */

const UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in binary units, about three significant digits: `512 B`, `16 kB`, `6.8 MB`, `11.4 MB`, `296 kB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 100 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${UNITS[unit]}`;
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** A row estimate: the number, `≥n` when some partitions have none, `unknown` when there is none. */
export function formatEstimate(estimate: number | null, complete = true): string {
  if (estimate === null) return 'unknown';
  return `${complete ? '' : '≥'}${thousands(estimate)}`;
}

/** `2026-02-07T10:00:00.000Z` → `2026-02-07 10:00:00Z`. */
export function formatTime(isoTime: string | null): string {
  if (!isoTime) return '-';
  return isoTime.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Aligned columns: `align` has one letter per column, `l` or `r`. Two spaces between columns,
 * no trailing spaces.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: string, indent = ''): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const pad = (cell: string, i: number): string => {
    const gap = ' '.repeat(widths[i]! - [...cell].length);
    return align[i] === 'r' ? gap + cell : cell + gap;
  };
  return all.map((r) => indent + header.map((_, i) => pad(r[i] ?? '', i)).join('  ').trimEnd()).join('\n');
}

function renderIndexes(indexes: readonly IndexStatus[]): string {
  if (indexes.length === 0) return '  (none)';
  const rows: string[][] = [];
  let table = '';
  for (const ix of indexes) {
    if (ix.table !== table) {
      table = ix.table;
      rows.push([table, '', '', '', '']);
    }
    const flags = [ix.primary ? 'primary' : ix.unique ? 'unique' : '', ix.valid ? '' : 'INVALID', ix.on !== ix.table ? `on ${ix.on}` : ''].filter(Boolean).join(', ');
    rows.push([`  ${ix.name}`, ix.method, formatBytes(ix.bytes), ix.partitions > 0 ? String(ix.partitions) : '-', flags]);
  }
  return formatTable(['table / index', 'method', 'size', 'partitions', ''], rows, 'llrrl');
}

function renderPartitions(trees: readonly PartitionTree[]): string {
  if (trees.length === 0) return '  (no partitioned tables)';
  return trees
    .map((t) => {
      const leaves = t.partitions.filter((p) => p.isLeaf).length;
      const head = `${t.table}: ${t.key}, ${t.partitions.length} partition${t.partitions.length === 1 ? '' : 's'}${leaves !== t.partitions.length ? ` (${leaves} leaves)` : ''}`;
      if (t.partitions.length === 0) return head;
      const rows = t.partitions.map((p) => [
        `${'  '.repeat(p.level - 1)}${p.name}`,
        formatEstimate(p.rowEstimate),
        formatBytes(p.totalBytes),
        p.bound === null ? '-' : p.bound.replace(/^FOR VALUES /, ''),
      ]);
      return `${head}\n${formatTable(['partition', 'rows (est.)', 'size', 'bound'], rows, 'lrrl', '  ')}`;
    })
    .join('\n\n');
}

function renderCron(cron: CronStatus, schema: string): string {
  if (!cron.installed) return `  ${cron.note ?? 'pg_cron not installed'}`;
  const out: string[] = [];
  if (cron.jobs.length === 0) {
    out.push(cron.note ? `  ${cron.note}` : `  no jobs for this schema (none named '${schema}:…' or naming ${schema} in its command)`);
    return out.join('\n');
  } else {
    const rows = cron.jobs.map((j) => {
      const run = j.lastRun;
      const took = run?.start && run.end ? ` (${formatDuration(Date.parse(run.end) - Date.parse(run.start))})` : '';
      return [
        j.name ?? `#${j.jobid}`,
        j.schedule,
        j.active ? 'yes' : 'no',
        run ? `${formatTime(run.start)}${took}` : 'never',
        run?.status ?? '-',
        `${j.runs}/${j.failedRuns}`,
        run?.returnMessage ? oneLine(run.returnMessage) : '',
      ];
    });
    out.push(formatTable(['job', 'schedule', 'active', 'last run', 'status', 'runs/failed', 'message'], rows, 'lllllrl'));
    out.push('', ...cron.jobs.map((j) => `  ${j.name ?? `#${j.jobid}`}: ${oneLine(j.command, 100)}`));
  }
  if (cron.note) out.push(`  note: ${cron.note}`);
  return out.join('\n');
}

function renderMigrations(migrations: readonly MigrationStatus[]): string {
  const rows = migrations.map((m) => [m.state, m.tag, m.file, formatTime(m.appliedAt), formatDuration(m.durationMs)]);
  return formatTable(['state', 'tag', 'file', 'applied at', 'took'], rows, 'lllll');
}

export function renderStatus(report: StatusReport): string {
  const out: string[] = [];
  const ext = Object.entries(report.server.extensions).map(([k, v]) => `${k} ${v ?? 'not installed'}`).join(', ');
  out.push(`geobench status — schema ${report.schema} (${formatTime(report.generatedAt)})`);
  out.push(`server:  ${report.server.target}, PostgreSQL ${report.server.version}; ${ext}`);
  const d = report.dataset;
  out.push(d ? `dataset: ${d.status}, scale ${d.scale}, seed ${d.seed}, ${thousands(d.totalRows)} rows${d.completedAt ? `, generated ${formatTime(d.completedAt)}` : ''}` : 'dataset: no manifest');
  const applied = report.migrations.filter((m) => m.state === 'applied' && m.tag !== 'baseline').map((m) => m.tag);
  out.push(`schema:  ${applied.length > 0 ? `baseline + ${applied.join(', ')}` : 'baseline'}`);

  out.push('', 'TABLES (largest first)');
  out.push(formatTable(
    ['table', 'kind', 'partitions', 'rows (est.)', 'heap', 'toast', 'indexes', 'total'],
    report.tables.map((t) => [t.name, t.kind === 'partitioned table' ? 'partitioned' : 'table', t.partitions > 0 ? String(t.partitions) : '-', formatEstimate(t.rowEstimate, t.rowEstimateComplete), formatBytes(t.heapBytes), formatBytes(t.toastBytes), formatBytes(t.indexBytes), formatBytes(t.totalBytes)]),
    'llrrrrrr',
  ));

  out.push('', 'MATERIALIZED VIEWS');
  if (report.materializedViews.length === 0) out.push('  (none)');
  else {
    out.push(formatTable(
      ['view', 'populated', 'rows (est.)', 'data', 'indexes', 'total', 'last refresh'],
      report.materializedViews.map((v) => [
        v.name,
        v.populated ? 'yes' : 'NO',
        formatEstimate(v.rowEstimate),
        formatBytes(v.heapBytes),
        formatBytes(v.indexBytes),
        formatBytes(v.totalBytes),
        v.lastRefresh.at ? `${formatTime(v.lastRefresh.at)}${v.lastRefresh.status ? ` (${v.lastRefresh.status})` : ''}` : 'unknown',
      ]),
      'llrrrrl',
    ));
    if (report.materializedViews.some((v) => v.lastRefresh.source === 'unknown')) {
      out.push(`  (PostgreSQL records no refresh time; "unknown" = no row in ${report.schema}.mv_refresh_log)`);
    }
  }

  out.push('', 'INDEXES', renderIndexes(report.indexes));
  out.push('', 'PARTITIONS', renderPartitions(report.partitionTrees));

  out.push('', `API FUNCTIONS (${report.api.schema})`);
  if (!report.api.exists) out.push('  (no such schema)');
  else if (report.api.functions.length === 0) out.push('  (none)');
  else out.push(...report.api.functions.map((f) => `  ${f.name}(${oneLine(f.arguments, 110)})`));

  out.push('', 'CRON JOBS (pg_cron)', renderCron(report.cron, report.schema));
  out.push('', 'MIGRATIONS', renderMigrations(report.migrations));
  if (report.warnings.length > 0) out.push('', 'WARNINGS', ...report.warnings.map((w) => `  - ${w}`));
  return out.join('\n');
}
