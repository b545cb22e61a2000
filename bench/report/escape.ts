/**
 * The one escaping module of the report. Every value that reaches report.html or summary.md from a
 * result file (scenario text, database output, error messages, names) goes through
 * {@link escapeHtml} — directly or through the {@link html} template, which escapes every
 * interpolated value unless it is already {@link SafeHtml} — or through {@link escapeMarkdown}.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A fragment of HTML that is already safe: made by {@link html} or {@link trusted}. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Interpolable into {@link html}: escaped unless SafeHtml; arrays are joined; null/undefined/false print nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

/** Tagged template: the literal parts are markup, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/**
 * Marks markup written by this program (never data from a file) as safe, e.g. a constant CSS block
 * or a data: URI built from base64 (whose alphabet needs no escaping).
 */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Escapes text for one cell of a GitHub-flavoured Markdown table (or a line of prose): HTML
 * metacharacters become entities (GitHub renders inline HTML), pipes and the characters that start
 * Markdown formatting are backslash-escaped, and line breaks become spaces.
 */
export function escapeMarkdown(value: unknown): string {
  return String(value)
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)
    .replace(/([\\`*_[\]|#!~])/g, '\\$1')
    .replace(/\r?\n|\r/g, ' ');
}

/**
 * A Markdown code span (`value`): shown literally by Markdown renderers, so only the characters
 * that would end the span or the line are replaced. For use outside tables.
 */
export function markdownCode(value: unknown): string {
  return `\`${String(value).replace(/`/g, "'").replace(/\r?\n|\r/g, ' ')}\``;
}
