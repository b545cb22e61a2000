/**
 * The nightly/compare report's reporters: <name>.html (self-contained page), summary.md, junit.xml
 * and <name>.json (the judgement, for tools), written atomically through the shared reporter
 * interface (output/reporter.ts).
 */
import path from 'node:path';
import { jsonReporter, renderAll, textReporter, writeOutputs, type Reporter } from '../output/reporter.ts';
import { renderHtml } from './html-page.ts';
import { renderJunit } from './junit.ts';
import type { NightlyReport } from './judgement.ts';
import { renderMarkdown } from './summary-markdown.ts';

export interface ReportFiles {
  readonly html: string;
  readonly markdown: string;
  readonly junit: string;
  readonly json: string;
}

export function nightlyReporters(name: 'nightly' | 'compare'): Array<Reporter<NightlyReport>> {
  return [
    textReporter('html', `${name}.html`, renderHtml),
    textReporter('markdown', 'summary.md', renderMarkdown),
    textReporter('junit', 'junit.xml', renderJunit),
    jsonReporter(`${name}.json`),
  ];
}

export function writeReportFiles(dir: string, report: NightlyReport, name: 'nightly' | 'compare'): ReportFiles {
  writeOutputs(dir, renderAll(report, nightlyReporters(name)));
  return {
    html: path.join(dir, `${name}.html`),
    markdown: path.join(dir, 'summary.md'),
    junit: path.join(dir, 'junit.xml'),
    json: path.join(dir, `${name}.json`),
  };
}
