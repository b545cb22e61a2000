import type { ClientConfig } from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { redact, registerSecret } from './redact.ts';
import { assertOwnSchema, DEFAULT_SCHEMA } from './schema.ts';

/** Where the benchmark database lives, already validated; `display` never contains a password. */
export interface DbTarget {
  readonly kind: 'embedded' | 'external';
  readonly client: ClientConfig;
  readonly display: string;
  readonly host: string;
  /** geobench's schema on that server where the dataset, ledger and manifest live (default `geobench`). */
  readonly schema: string;
}

/** The same server, another of geobench's schemas. */
export function withSchema(target: DbTarget, schema: string): DbTarget {
  return { ...target, schema: assertOwnSchema(schema) };
}

export interface TargetOptions {
  /** --db URL */
  readonly db?: string | undefined;
  /** --allow-remote: permit a server that is not on this machine. */
  readonly allowRemote?: boolean | undefined;
  /** --schema: which of geobench's schemas holds the dataset (default `geobench`). */
  readonly schema?: string | undefined;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

export function isLocalHost(host: string): boolean {
  return host.startsWith('/') || LOOPBACK.test(host);
}

/**
 * Chooses an external server from --db, DATABASE_URL or the libpq PG* variables (in that order).
 * Returns undefined when none is given: the caller then uses the embedded cluster.
 */
export function resolveExternalTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): DbTarget | undefined {
  const url = options.db ?? env.DATABASE_URL;
  let target: DbTarget | undefined;
  if (url) target = fromUrl(url, options.db ? '--db' : 'DATABASE_URL');
  else if (env.PGHOST || env.PGDATABASE || env.PGSERVICE) target = fromPgEnv(env);
  if (!target) return undefined;
  if (!isLocalHost(target.host) && !options.allowRemote) {
    throw new GeobenchError(`refusing to use database host '${target.host}': it is not on this machine`, {
      hint: 'pass --allow-remote to benchmark a server elsewhere (e.g. a staging database you own)',
      exitCode: 2,
    });
  }
  return target;
}

function fromUrl(raw: string, source: string): DbTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GeobenchError(`${source} is not a valid connection URL: ${redact(raw)}`, {
      hint: 'expected postgresql://user@host:port/database',
      exitCode: 2,
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new GeobenchError(`${source} must be a postgres:// or postgresql:// URL, got '${url.protocol}'`, { exitCode: 2 });
  }
  const password = decodeURIComponent(url.password);
  registerSecret(password);
  const host = url.searchParams.get('host') ?? (url.hostname.replace(/^\[|\]$/g, '') || 'localhost');
  const display = `postgresql://${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host || host}${url.pathname}`;
  return { kind: 'external', client: { connectionString: raw }, display, host, schema: DEFAULT_SCHEMA };
}

function fromPgEnv(env: NodeJS.ProcessEnv): DbTarget {
  registerSecret(env.PGPASSWORD);
  const host = env.PGHOST ?? 'localhost';
  const port = env.PGPORT ?? '5432';
  const user = env.PGUSER ?? env.USER ?? 'postgres';
  const database = env.PGDATABASE ?? user;
  // node-postgres reads PG* itself; we only pass what we resolved so the display matches what is used.
  return {
    kind: 'external',
    client: { host, port: Number(port), user, database },
    display: `postgresql://${user}@${host}:${port}/${database}`,
    host,
    schema: DEFAULT_SCHEMA,
  };
}
