/**
 * Matching a workload's SQL text to pg_stat_statements rows.
 *
 * pg_stat_statements does not keep the text a client sent: when a statement contains constants it
 * stores a normalized text where each constant becomes `$n` (numbered after the statement's own
 * parameters). `... LIMIT 10` is stored as `... LIMIT $3`, `interval '30 days'` as `interval $2`,
 * `-46.6` as `$4`; it also drops the trailing semicolon and surrounding whitespace. Constants that
 * do not survive parse analysis (`GROUP BY 1`) stay as written. So an exact comparison misses
 * every workload statement with a literal in it.
 *
 * {@link statementKey} maps both texts to the same key: it tokenizes like PostgreSQL's lexer and
 * replaces every constant *and* every `$n` parameter with `?`, so "the stored text is the sent
 * text with some constants replaced by `$n`" becomes key equality. Comments and whitespace are
 * ignored, keywords and unquoted identifiers compared case-insensitively. Two statements that
 * differ only in constant values share a key — pg_stat_statements already counts them as one.
 */

const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';
// PostgreSQL splits a trailing + or - off a multi-character operator unless one of these is in it.
const KEEPS_TRAILING_SIGN = '~!@#%^&|`?';
const CONSTANT_WORDS = new Set(['true', 'false', 'null']);

/** The comparison key of a SQL text (see the module comment). Pure. */
export function statementKey(sql: string): string {
  const tokens = tokenize(sql);
  const out: string[] = [];
  for (const token of tokens) {
    // A sign before a constant is part of it for pg_stat_statements (`-5` → `$1`); binary minus
    // keeps its `-`. Dropping it on both sides makes both cases compare equal.
    if (token === '?' && out[out.length - 1] === '-') out.pop();
    out.push(token);
  }
  while (out[out.length - 1] === ';') out.pop();
  return out.join(' ');
}

/** Tokens of `sql`: `?` for constants and parameters, lower-cased words, quoted identifiers as written. */
function tokenize(sql: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'" || (/[eEbBxXnN]/.test(c) && next === "'") || (/[uU]/.test(c) && next === '&' && sql[i + 2] === "'")) {
      const quote = sql.indexOf("'", i);
      i = skipString(sql, quote, /[eE]/.test(c) && quote === i + 1);
      tokens.push('?');
    } else if (c === '$' && /[0-9]/.test(next)) {
      i = skipWhile(sql, i + 1, /[0-9]/);
      tokens.push('?');
    } else if (c === '$' && /[A-Za-z_$]/.test(next) && dollarTag(sql, i)) {
      const tag = dollarTag(sql, i)!;
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
      tokens.push('?');
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      i = skipNumber(sql, i);
      tokens.push('?');
    } else if (c === '"') {
      const start = i;
      i = skipQuoted(sql, i, '"');
      tokens.push(sql.slice(start, i));
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      i = skipWhile(sql, i, /[A-Za-z0-9_$\u0080-\uffff]/);
      const word = sql.slice(start, i).toLowerCase();
      tokens.push(CONSTANT_WORDS.has(word) ? '?' : word);
    } else if (OPERATOR_CHARS.includes(c)) {
      const start = i;
      while (i < n && OPERATOR_CHARS.includes(sql[i]!) && !sql.startsWith('--', i) && !sql.startsWith('/*', i)) i++;
      tokens.push(...splitOperator(sql.slice(start, i)));
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

function splitOperator(op: string): string[] {
  if (op.length < 2 || [...op].some((ch) => KEEPS_TRAILING_SIGN.includes(ch))) return [op];
  let end = op.length;
  while (end > 1 && (op[end - 1] === '+' || op[end - 1] === '-')) end--;
  return [op.slice(0, end), ...op.slice(end)];
}

function skipWhile(sql: string, i: number, re: RegExp): number {
  while (i < sql.length && re.test(sql[i]!)) i++;
  return i;
}

function skipNumber(sql: string, i: number): number {
  i = skipWhile(sql, i, /[0-9_]/);
  if (sql[i] === '.' && sql[i + 1] !== '.') i = skipWhile(sql, i + 1, /[0-9_]/);
  if (/[eE]/.test(sql[i] ?? '') && /[0-9]/.test(sql[i + 1] === '+' || sql[i + 1] === '-' ? (sql[i + 2] ?? '') : (sql[i + 1] ?? ''))) {
    i = skipWhile(sql, i + (/[+-]/.test(sql[i + 1]!) ? 2 : 1), /[0-9]/);
  }
  return i;
}

/** From an opening quote, past the closing one; a doubled quote is an escaped quote. */
function skipQuoted(sql: string, i: number, quote: string): number {
  i++;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

function skipString(sql: string, quote: number, backslashEscapes: boolean): number {
  if (!backslashEscapes) return skipQuoted(sql, quote, "'");
  let i = quote + 1;
  while (i < sql.length) {
    if (sql[i] === '\\') i += 2;
    else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
    else if (sql[i] === "'") return i + 1;
    else i++;
  }
  return i;
}

function skipBlockComment(sql: string, i: number): number {
  // Block comments nest in PostgreSQL.
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return i;
}

function dollarTag(sql: string, i: number): string | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
  return m?.[0];
}
