/**
 * The history folder on disk:
 *
 *   <history>/index.json                      series → runs (history-index.ts), written atomically
 *   <history>/index.json.bak                  the previous index, kept on every write
 *   <history>/<nightly-run-id>/<entry>/       result.json, plans/, validation.json, entry.json
 *
 * entry.json repeats the run's index record and series key, so `--rebuild-index` can restore a
 * lost index from the folders. A corrupt or missing index is an error that names the problem and
 * never touches the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { ENTRY_RECORD_SHAPE, appendRun, emptyIndex, parseIndex, type HistoryIndex, type HistoryRunRecord } from './history-index.ts';
import type { SeriesKey } from './series-key.ts';
import { makeDirs } from '../core/output-dir.ts';

export const INDEX_FILE = 'index.json';
export const ENTRY_FILE = 'entry.json';
const LOCK_FILE = '.lock';

/** Entry folders (<run>/<entry>/entry.json) under a history root. */
export function entryFolders(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  for (const run of fs.readdirSync(root, { withFileTypes: true })) {
    if (!run.isDirectory()) continue;
    for (const entry of fs.readdirSync(path.join(root, run.name), { withFileTypes: true })) {
      if (entry.isDirectory() && fs.existsSync(path.join(root, run.name, entry.name, ENTRY_FILE))) out.push(path.join(run.name, entry.name));
    }
  }
  return out.sort();
}

/**
 * Reads and validates <root>/index.json. No index and no stored runs = a new, empty history.
 * @throws GeobenchError when the index is corrupt, or missing while run folders exist.
 */
export function readHistory(root: string): HistoryIndex {
  const file = path.join(root, INDEX_FILE);
  const rebuildHint = `the history was left untouched; restore ${file} (the previous version is in ${INDEX_FILE}.bak) or rebuild it from the run folders with \`geobench nightly --history ${root} --rebuild-index\``;
  if (!fs.existsSync(file)) {
    const folders = entryFolders(root);
    if (folders.length === 0) return emptyIndex();
    throw new GeobenchError(`history index ${file} is missing, but ${root} holds ${folders.length} stored run${folders.length === 1 ? '' : 's'}; refusing to start a new history over them`, { hint: rebuildHint });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GeobenchError(`history index ${file} is corrupt (not valid JSON: ${(err as Error).message})`, { hint: rebuildHint });
  }
  const parsed = parseIndex(raw);
  if ('problems' in parsed) {
    throw new GeobenchError(`history index ${file} is corrupt:\n${parsed.problems.slice(0, 10).map((p) => `  ${p}`).join('\n')}${parsed.problems.length > 10 ? `\n  … ${parsed.problems.length - 10} more` : ''}`, { hint: rebuildHint });
  }
  for (const s of Object.values(parsed.index.series)) {
    for (const r of s.runs) {
      if (!fs.existsSync(path.join(root, r.dir))) throw new GeobenchError(`history index ${file} names ${r.dir}, which does not exist`, { hint: rebuildHint });
    }
  }
  return parsed.index;
}

/** Writes the index atomically, keeping the previous one as index.json.bak. */
export function writeHistory(root: string, index: HistoryIndex): void {
  const file = path.join(root, INDEX_FILE);
  if (fs.existsSync(file)) fs.copyFileSync(file, `${file}.bak`);
  writeFileAtomic(file, `${JSON.stringify(index, null, 2)}\n`);
}

/** Rebuilds the index from the entry.json files of the stored runs (the old index is kept as .bak). */
export function rebuildHistory(root: string): { index: HistoryIndex; runs: number; unreadable: string[] } {
  let index = emptyIndex();
  const unreadable: string[] = [];
  let runs = 0;
  for (const dir of entryFolders(root)) {
    try {
      const parsed = ENTRY_RECORD_SHAPE.parse(JSON.parse(fs.readFileSync(path.join(root, dir, ENTRY_FILE), 'utf8')));
      index = appendRun(index, parsed.key, { ...parsed.record, dir: dir.split(path.sep).join('/') });
      runs++;
    } catch (err) {
      unreadable.push(`${dir}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  writeHistory(root, index);
  return { index, runs, unreadable };
}

/**
 * Copies an entry run into the history: result.json and plans/ (and validation.json for a
 * validator), plus entry.json. Returns the folder relative to the root.
 */
export function storeEntryRun(root: string, sourceDir: string, key: SeriesKey, record: HistoryRunRecord): string {
  const target = path.join(root, record.dir);
  makeDirs(target);
  for (const f of ['result.json', 'validation.json']) {
    if (fs.existsSync(path.join(sourceDir, f))) fs.copyFileSync(path.join(sourceDir, f), path.join(target, f));
  }
  if (fs.existsSync(path.join(sourceDir, 'plans'))) fs.cpSync(path.join(sourceDir, 'plans'), path.join(target, 'plans'), { recursive: true });
  writeFileAtomic(path.join(target, ENTRY_FILE), `${JSON.stringify({ key, record }, null, 2)}\n`);
  return record.dir;
}

/**
 * Takes <root>/.lock for this process (one writer at a time; the folder store holds it for each
 * append). A lock left by a process that no longer exists is taken over.
 */
export function lockHistory(root: string): () => void {
  makeDirs(root);
  const file = path.join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let text: string;
      let ageMs: number;
      try {
        text = fs.readFileSync(file, 'utf8').trim();
        ageMs = Date.now() - fs.statSync(file).mtimeMs;
      } catch (readErr) {
        if ((readErr as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw readErr;
      }
      const pid = Number(text);
      // An empty lock is one being written right now (created, pid not yet in it) — unless it is old.
      const starting = text === '' && ageMs < 10_000;
      if (starting || (Number.isInteger(pid) && pid > 0 && alive(pid))) {
        throw new GeobenchError(`another geobench nightly (pid ${starting ? 'starting' : pid}) is writing to ${root}`, { hint: `wait for it, or remove ${file} if that process is not geobench` });
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new GeobenchError(`could not lock ${root}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
