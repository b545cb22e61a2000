/**
 * How often a pg_cron schedule fires, on average: runs per hour. Used to put the cost of a
 * maintenance job measured once into production proportion (its mean duration × runs per hour).
 * pg_cron accepts standard 5-field cron (minute hour day-of-month month day-of-week with `*`,
 * lists, ranges, steps and names), the `@hourly`-style macros, and (from 1.5) `N seconds`. The cron
 * grammar is cron-parser's; only pg_cron's own `N seconds` form is read here. Pure.
 */
import { CronExpressionParser } from 'cron-parser';

/** Where each range sits in a 5-field expression (cronFieldValues parses one field in its place). */
const FIELD_POSITION: Readonly<Record<string, number>> = { '0-59': 0, '0-23': 1, '1-31': 2, '1-12': 3, '0-7': 4 };

function parse(fields: readonly string[], shown: string): ReturnType<typeof CronExpressionParser.parse>['fields'] {
  try {
    return CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' }).fields;
  } catch (err) {
    throw new Error(`${shown}: ${(err as Error).message}`);
  }
}

/** The values a cron field matches (day of week 7 counts as 0, Sunday); throws on a malformed field. */
export function cronFieldValues(field: string, min: number, max: number): Set<number> {
  const position = FIELD_POSITION[`${min}-${max}`];
  if (position === undefined) throw new Error(`no cron field has the range ${min}-${max}`);
  if (!/^[^\s]+$/.test(field.trim())) throw new Error(`not a cron field: '${field}'`);
  const fields = ['*', '*', '*', '*', '*'];
  fields[position] = field.trim();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(fields, `not a cron field: '${field}'`);
  } catch (err) {
    // cron-parser names a value out of range a "Constraint error"; say it in the field's terms.
    if (/constraint/i.test((err as Error).message)) throw new Error(`cron field '${field}' is outside ${min}-${max}`);
    throw err;
  }
  const values: readonly unknown[] = [parsed.minute, parsed.hour, parsed.dayOfMonth, parsed.month, parsed.dayOfWeek][position]!.values;
  return new Set(values.filter((v): v is number => typeof v === 'number'));
}

/** Average runs per hour of a pg_cron schedule; throws on a schedule it cannot read. */
export function runsPerHour(schedule: string): number {
  const text = schedule.trim().toLowerCase();
  const seconds = /^(\d+)\s+seconds?$/.exec(text);
  if (seconds) return 3600 / Number(seconds[1]);
  const isMacro = text.startsWith('@');
  const fields = text.split(/\s+/);
  if (!isMacro && fields.length !== 5) throw new Error(`not a cron schedule: '${schedule}'`);
  const f = parse(isMacro ? [text] : fields, `not a cron schedule: '${schedule}'`);
  const size = (values: readonly unknown[]): number => new Set(values).size;
  const weekdays = size(f.dayOfWeek.values.map((d) => (d === 7 ? 0 : d)));
  const dom = size(f.dayOfMonth.values);
  // cron: when both day fields are restricted, a day matches if either does.
  const domAll = f.dayOfMonth.isWildcard;
  const dowAll = f.dayOfWeek.isWildcard;
  const dayShare = domAll && dowAll ? 1
    : domAll ? weekdays / 7
      : dowAll ? dom / 30.44
        : Math.min(1, dom / 30.44 + weekdays / 7 - (dom / 30.44) * (weekdays / 7));
  return (size(f.minute.values) * size(f.hour.values) * dayShare * (size(f.month.values) / 12)) / 24;
}
