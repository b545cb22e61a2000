/**
 * The one escaping module of every output (run/validate report, nightly and compare pages, JUnit).
 * Every value that reaches HTML, SVG, XML or Markdown from a result file, a scenario, the database or
 * an error message goes through {@link escapeHtml} — directly or through the {@link html} template,
 * which escapes every interpolated value unless it is already {@link SafeHtml} — {@link escapeXml} /
 * {@link escapeXmlAttribute}, or {@link escapeMarkdown} (Markdown constructs: markdown.ts).
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
 * Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR; lone surrogates;
 * U+FFFE/U+FFFF): replaced by U+FFFD so an error message with a stray control byte still yields a
 * well-formed file.
 */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for an XML text node or a quoted attribute value (JUnit). */
export function escapeXml(value: unknown): string {
  return escapeHtml(String(value).replace(XML_INVALID, '\uFFFD'))
    .replace(/&#39;/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** An attribute value also keeps its line breaks and tabs (attribute normalization would eat them). */
export function escapeXmlAttribute(value: unknown): string {
  return escapeXml(value).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
