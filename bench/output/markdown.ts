/**
 * Markdown constructs shared by summary.md of a run/validate report and of a nightly/compare report.
 * Cell and prose text is escaped with escapeMarkdown (escape.ts) by the caller; these helpers build
 * the structure around it.
 */

/** A GitHub-flavoured Markdown table: header row, separator, one line per row (cells already escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/**
 * A Markdown code span (`value`): shown literally by Markdown renderers, so only the characters
 * that would end the span or the line are replaced. For use outside tables.
 */
export function markdownCode(value: unknown): string {
  return `\`${String(value).replace(/`/g, "'").replace(/\r?\n|\r/g, ' ')}\``;
}

/** A fenced code block whose fence is longer than any backtick run inside (content shown verbatim). */
export function markdownFence(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}
