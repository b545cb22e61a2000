/**
 * Splits a SQL script into statements, respecting quotes, dollar-quoted bodies and comments,
 * so a migration can run statement by statement and name the one that failed (with its line).
 */
export interface SqlStatement {
  readonly text: string;
  /** 1-based line of the statement's first non-blank character in the script */
  readonly line: number;
}

export const AFTER_COMMIT_MARKER = '-- geobench:after-commit';

export function splitStatements(script: string, firstLine = 1): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number): void => {
    const raw = script.slice(start, end);
    if (stripComments(raw).trim() !== '') {
      const lead = raw.length - raw.trimStart().length;
      const line = firstLine + countNewlines(script, 0, start + lead);
      out.push({ text: raw.trim(), line });
    }
    start = end + 1;
  };
  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const eol = script.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      i = skipQuoted(script, i, c);
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i, i + 64));
      if (tag) {
        const end = script.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
    } else i++;
  }
  push(n);
  return out;
}

function skipQuoted(s: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === quote) {
      if (s[j + 1] === quote) j += 2; // doubled quote inside the literal
      else return j + 1;
    } else j++;
  }
  return j;
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) count++;
  return count;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Splits a migration into its transactional part and the statements that run after commit. */
export function splitMigration(script: string): { transactional: SqlStatement[]; afterCommit: SqlStatement[] } {
  const lines = script.split('\n');
  const markerIndex = lines.findIndex((l) => l.trim() === AFTER_COMMIT_MARKER);
  if (markerIndex === -1) return { transactional: splitStatements(script), afterCommit: [] };
  return {
    transactional: splitStatements(lines.slice(0, markerIndex).join('\n')),
    afterCommit: splitStatements(lines.slice(markerIndex + 1).join('\n'), markerIndex + 2),
  };
}

/** The statement's first line of code (skipping comments), for log and error messages. */
export function firstCodeLine(sql: string): string {
  return sql.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('--'))?.trim() ?? sql.trim();
}
