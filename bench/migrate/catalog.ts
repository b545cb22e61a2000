import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { GeobenchError } from '../core/errors.ts';

/**
 * The migrations in sql/: `<version>_<name>.sql` with its rollback `ROLLBACK_<TAG>_<name>.sql`
 * (the roadmap's naming). Adding an optimization = adding those two files. The baseline schema
 * (sql/baseline/*.sql) is the implicit first step, applied by `dataset generate`.
 */
export interface Migration {
  readonly version: string;
  readonly tag: string;
  readonly name: string;
  readonly file: string;
  readonly rollbackFile: string;
  readonly checksum: string;
}

export const BASELINE_TAG = 'baseline';
export const BASELINE_VERSION = '0000000000';

const MIGRATION_FILE = /^(\d{10})_([a-z0-9_]+)\.sql$/;
const ROLLBACK_FILE = /^ROLLBACK_([A-Z0-9]+)_([a-z0-9_]+)\.sql$/;

export const fileChecksum = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

export function loadCatalog(sqlDir: string): Migration[] {
  if (!fs.existsSync(sqlDir)) throw new GeobenchError(`migrations folder not found: ${sqlDir}`);
  const files = fs.readdirSync(sqlDir);
  const rollbacks = new Map<string, { tag: string; file: string }>();
  for (const f of files) {
    const m = ROLLBACK_FILE.exec(f);
    if (m) rollbacks.set(m[2]!, { tag: m[1]!, file: path.join(sqlDir, f) });
  }
  const migrations: Migration[] = [];
  for (const f of files) {
    const m = MIGRATION_FILE.exec(f);
    if (!m) continue;
    const [, version, name] = m as unknown as [string, string, string];
    const rollback = rollbacks.get(name);
    if (!rollback) throw new GeobenchError(`migration ${f} has no rollback script (expected ROLLBACK_<TAG>_${name}.sql in ${sqlDir})`);
    rollbacks.delete(name);
    const file = path.join(sqlDir, f);
    migrations.push({ version, tag: rollback.tag, name, file, rollbackFile: rollback.file, checksum: fileChecksum(fs.readFileSync(file, 'utf8')) });
  }
  for (const [name] of rollbacks) throw new GeobenchError(`rollback script for '${name}' has no migration in ${sqlDir}`);
  migrations.sort((a, b) => a.version.localeCompare(b.version));
  const tags = new Set<string>();
  for (const m of migrations) {
    if (tags.has(m.tag)) throw new GeobenchError(`two migrations share the tag ${m.tag}`);
    tags.add(m.tag);
  }
  return migrations;
}

/** Checksum of the baseline schema files, recorded in the ledger as the first step. */
export function baselineFiles(sqlDir: string): string[] {
  const dir = path.join(sqlDir, 'baseline');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(dir, f));
}

export function baselineChecksum(sqlDir: string): string {
  return fileChecksum(baselineFiles(sqlDir).map((f) => fs.readFileSync(f, 'utf8')).join('\n'));
}

/**
 * Resolves a --to target: `baseline`, a tag (OPT1, case-insensitive), a version or a full name.
 * Returns the index of the last migration that should be applied (-1 = baseline only).
 */
export function resolveTarget(catalog: readonly Migration[], to: string): number {
  const wanted = to.trim().toLowerCase().replace(/\.sql$/, '');
  if (wanted === BASELINE_TAG) return -1;
  const index = catalog.findIndex(
    (m) => m.tag.toLowerCase() === wanted || m.version === wanted || `${m.version}_${m.name}` === wanted || m.name === wanted,
  );
  if (index === -1) {
    throw new GeobenchError(`unknown migration target '${to}'`, {
      hint: `known targets: baseline, ${catalog.map((m) => m.tag).join(', ')}`,
      exitCode: 2,
    });
  }
  return index;
}
