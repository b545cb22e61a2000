/**
 * Writes a report's files into a folder, atomically: <name>.html (self-contained page),
 * summary.md, junit.xml and <name>.json (the judgement, for tools).
 */
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { renderHtml } from './html-page.ts';
import { renderJunit } from './junit.ts';
import type { NightlyReport } from './judgement.ts';
import { renderMarkdown } from './markdown.ts';

export interface ReportFiles {
  readonly html: string;
  readonly markdown: string;
  readonly junit: string;
  readonly json: string;
}

export function writeReportFiles(dir: string, report: NightlyReport, name: 'nightly' | 'compare'): ReportFiles {
  const files: ReportFiles = {
    html: path.join(dir, `${name}.html`),
    markdown: path.join(dir, 'summary.md'),
    junit: path.join(dir, 'junit.xml'),
    json: path.join(dir, `${name}.json`),
  };
  writeFileAtomic(files.html, renderHtml(report));
  writeFileAtomic(files.markdown, renderMarkdown(report));
  writeFileAtomic(files.junit, renderJunit(report));
  writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return files;
}
