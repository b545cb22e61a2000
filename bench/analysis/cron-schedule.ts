/**
 * How often a pg_cron schedule fires, on average: runs per hour. Used to put the cost of a
 * maintenance job measured once into production proportion (its mean duration × runs per hour).
 * pg_cron accepts standard 5-field cron (minute hour day-of-month month day-of-week with `*`,
 * lists, ranges and steps), the `@hourly`-style macros, and (from 1.5) `N seconds`. Pure.
 */

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** The values a cron field matches; throws on a malformed field. */
export function cronFieldValues(field: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a cron field: '${field}'`);
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < min || hi > max || lo > hi || step < 1) throw new Error(`cron field '${field}' is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Average runs per hour of a pg_cron schedule; throws on a schedule it cannot read. */
export function runsPerHour(schedule: string): number {
  const text = schedule.trim().toLowerCase();
  const seconds = /^(\d+)\s+seconds?$/.exec(text);
  if (seconds) return 3600 / Number(seconds[1]);
  const fields = (MACROS[text] ?? text).split(/\s+/);
  if (fields.length !== 5) throw new Error(`not a cron schedule: '${schedule}'`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => cronFieldValues(f, FIELDS[i]!.min, FIELDS[i]!.max));
  const weekdays = new Set([...dow!].map((d) => d % 7));
  // cron: when both day fields are restricted, a day matches if either does.
  const domAll = fields[2] === '*';
  const dowAll = fields[4] === '*';
  const dayShare = domAll && dowAll ? 1
    : domAll ? weekdays.size / 7
      : dowAll ? dom!.size / 30.44
        : Math.min(1, dom!.size / 30.44 + weekdays.size / 7 - (dom!.size / 30.44) * (weekdays.size / 7));
  return (minute!.size * hour!.size * dayShare * (month!.size / 12)) / 24;
}
