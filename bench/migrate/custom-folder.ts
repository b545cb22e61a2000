import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GeobenchError } from '../core/errors.ts';
import { geobenchHome } from '../core/paths.ts';
import { loadCatalog } from './catalog.ts';

/**
 * Your own migrations: a folder of `<version>_<name>.sql` + `ROLLBACK_<TAG>_<name>.sql` pairs (the
 * same naming as sql/) laid over sql/. The result is one ordinary migrations folder (sql/ plus the
 * custom files, byte for byte), so the ledger, its checksums, verify, rollback tests, variants and
 * reports treat a candidate optimization exactly like OPT1…OPT5. Clashing tags or versions are refused.
 */
export function mergedSqlDir(baseDir: string, customDir: string): string {
  const dir = path.resolve(customDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new GeobenchError(`--migrations ${customDir}: not a folder`, { exitCode: 2 });
  let custom;
  try {
    custom = loadCatalog(dir);
  } catch (err) {
    throw new GeobenchError(`--migrations ${customDir}: ${(err as Error).message}`, { exitCode: 2 });
  }
  if (custom.length === 0) throw new GeobenchError(`--migrations ${customDir}: no <version>_<name>.sql migration in that folder`, { exitCode: 2 });
  const base = loadCatalog(baseDir);
  for (const m of custom) {
    const clash = base.find((b) => b.tag === m.tag || b.version === m.version || b.name === m.name);
    if (clash) throw new GeobenchError(`--migrations ${customDir}: ${path.basename(m.file)} clashes with ${path.basename(clash.file)} of ${baseDir} (same tag, version or name)`, { exitCode: 2 });
  }
  const files = custom.flatMap((m) => [m.file, m.rollbackFile]);
  const hash = crypto.createHash('sha256');
  for (const f of [...files].sort()) hash.update(path.basename(f)).update(fs.readFileSync(f));
  for (const m of base) hash.update(m.checksum);
  const merged = path.join(geobenchHome(), 'migrations', hash.digest('hex').slice(0, 16));
  if (!fs.existsSync(merged)) {
    const tmp = `${merged}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(baseDir, tmp, { recursive: true });
    for (const f of files) fs.copyFileSync(f, path.join(tmp, path.basename(f)));
    try {
      fs.renameSync(tmp, merged);
    } catch (err) {
      // Another geobench process merged the same files first: same content, keep theirs.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(merged)) throw err;
    }
  }
  return merged;
}
