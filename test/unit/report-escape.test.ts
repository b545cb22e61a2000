import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { escapeHtml, escapeMarkdown, html, trusted } from '../../bench/output/escape.ts';
import { markdownCode } from '../../bench/output/markdown.ts';
import { writeReport } from '../../bench/report/write-report.ts';
import { fixtureValidation, writeFixtureFolder, XSS } from './report-fixture.ts';

test('escapeHtml: every HTML metacharacter, nothing else', () => {
  const cases: Array<[unknown, string]> = [
    ['plain', 'plain'],
    [XSS, '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`a & b "c" 'd'`, 'a &amp; b &quot;c&quot; &#39;d&#39;'],
    ['&amp;', '&amp;amp;'],
    [42, '42'],
    ['µs → ✓', 'µs → ✓'],
  ];
  for (const [input, expected] of cases) assert.is(escapeHtml(input), expected, String(input));
});

test('html template: interpolations escaped, arrays joined, SafeHtml and trusted markup kept', () => {
  const inner = html`<b>${'<i>'}</b>`;
  assert.is(html`<p title="${'"x"'}">${XSS}</p>`.text, '<p title="&quot;x&quot;">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  assert.is(html`<ul>${['<a>', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.text, '<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  assert.is(html`${inner}${null}${undefined}${false}${0}`.text, '<b>&lt;i&gt;</b>0');
  assert.is(html`${trusted('<hr>')}`.text, '<hr>');
});

test('escapeMarkdown / markdownCode: no HTML, no table breaks, one line', () => {
  assert.is(escapeMarkdown(XSS), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.is(escapeMarkdown('a | b\nc'), 'a \\| b c');
  assert.is(escapeMarkdown('error_rate *x* [l](u)'), 'error\\_rate \\*x\\* \\[l\\](u)');
  assert.is(markdownCode('a`b\nc'), "`a'b c`");
});

test('a hostile result file: report.html and summary.md carry the text escaped, never as markup', async () => {
  const dir = writeFixtureFolder({ hostile: true, extra: { events: [{ at: 1, label: XSS }] } });
  try {
    fs.writeFileSync(path.join(dir, 'validation.json'), JSON.stringify(fixtureValidation('result.json', true)));
    const files = await writeReport(dir);
    const page = fs.readFileSync(files.html, 'utf8');
    assert.not.match(page, /<script/i, 'no script element at all');
    assert.not.match(page, /alert\(1\)<\/script>/);
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    const at = (needle: string): boolean => page.includes(needle);
    assert.ok(at(`fixture ${escaped} &amp; &quot;quotes&quot;`), 'scenario description escaped');
    assert.ok(at(`ERROR: relation &quot;${escaped}&quot; does not exist`), 'error message escaped');
    assert.ok(at(`warning with ${escaped}`), 'warning escaped');
    assert.ok(at(`SELECT &#39;${escaped}&#39;`), 'plan SQL escaped');
    assert.ok(at(`no columnar AM ${escaped}`), 'validator note escaped');
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:/);
    const summary = fs.readFileSync(files.markdown, 'utf8');
    assert.not.match(summary, /<script/i);
    assert.ok(summary.includes(escaped), 'the warning is in the summary, escaped');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
