/**
 * Escaping for the nightly outputs. Every value that comes from a result, a scenario, a database
 * or an error message goes through one of these before it reaches HTML, SVG, XML or Markdown.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML/SVG text node or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
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

/** One cell of a Markdown table or a line of prose: HTML metacharacters, Markdown syntax, line breaks. */
export function escapeMarkdown(value: unknown): string {
  return String(value)
    .replace(/[&<>]/g, (c) => ENTITIES[c]!)
    .replace(/([\\`*_[\]|#!~])/g, '\\$1')
    .replace(/\r?\n|\r/g, ' ');
}

/** A fenced code block whose fence is longer than any backtick run inside (content shown verbatim). */
export function markdownFence(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}
