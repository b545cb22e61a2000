/**
 * Least privilege for `rpc serve`, as PostgREST's authenticator role: the HTTP server's pool logs
 * in as `<api schema>_rpc`, a role that may only USAGE the API schema and EXECUTE its functions.
 * The functions run SECURITY DEFINER as `<api schema>_definer`, a NOLOGIN non-superuser with
 * USAGE on the data schema and SELECT on its tables and views — nothing else — and a pinned
 * `search_path = <data schema>, public, pg_temp`.
 *
 * Done by `rpc serve` at every start (idempotent), not by the OPT3 migration: editing an applied
 * migration would make the ledger refuse it as "edited" on every database that already has OPT3,
 * and the API schema of a test or of another tool gets the same treatment. The migration's own
 * rollback still drops the functions (its connecting role is their owner's member or a superuser).
 *
 * The login password is random, kept in <GEOBENCH_HOME>/rpc-roles.json (mode 0600) like the
 * cluster's own, registered for redaction and sent to the server only as a SCRAM verifier, so
 * not even a server log with log_statement = ddl holds it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { geobenchHome } from '../core/paths.ts';
import { registerSecret } from '../db/redact.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { quoteIdent } from './catalog.ts';

export interface ApiRoles {
  /** The login role of the server's pool. */
  readonly login: string;
  /** Owner of the API functions (SECURITY DEFINER). */
  readonly definer: string;
}

export const apiRoles = (apiSchema: string): ApiRoles => ({ login: `${apiSchema}_rpc`, definer: `${apiSchema}_definer` });

/** SCRAM-SHA-256 verifier of a password (RFC 5802/7677), in PostgreSQL's pg_authid format. */
export function scramVerifier(password: string, salt: Buffer = crypto.randomBytes(16), iterations = 4096): string {
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string): Buffer => crypto.createHmac('sha256', key).update(text).digest();
  const storedKey = crypto.createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const secretsFile = (): string => path.join(geobenchHome(), 'rpc-roles.json');

/** The login role's password for this server (created once, then reused by every rpc serve). */
export function apiRolePassword(serverDisplay: string, role: string): string {
  const file = secretsFile();
  let secrets: Record<string, string> = {};
  if (fs.existsSync(file)) secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  const key = `${role}@${serverDisplay}`;
  let password = secrets[key];
  if (!password) {
    password = crypto.randomBytes(24).toString('base64url');
    secrets = { ...secrets, [key]: password };
    writeFileAtomic(file, `${JSON.stringify(secrets, null, 2)}\n`);
    fs.chmodSync(file, 0o600);
  }
  registerSecret(password);
  return password;
}

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Creates or updates both roles and every grant, in one transaction under an advisory lock (two
 * servers starting at once). `admin` is geobench's own connection (owner of the schemas).
 * Identifiers are validated schema names plus fixed suffixes; quoted anyway.
 */
export async function prepareApiRoles(admin: pg.Client, dataSchema: string, apiSchema: string, password: string): Promise<ApiRoles> {
  const roles = apiRoles(apiSchema);
  const [login, definer, data, api] = [roles.login, roles.definer, dataSchema, apiSchema].map(quoteIdent) as [string, string, string, string];
  const flags = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
  await admin.query('BEGIN');
  try {
    await admin.query("SELECT pg_advisory_xact_lock(hashtext('geobench rpc roles'))");
    const existing = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [[roles.login, roles.definer]])).rows.map((r) => r.rolname));
    if (!existing.has(roles.definer)) await admin.query(`CREATE ROLE ${definer} NOLOGIN ${flags}`);
    if (!existing.has(roles.login)) await admin.query(`CREATE ROLE ${login} LOGIN ${flags}`);
    await admin.query(`ALTER ROLE ${definer} NOLOGIN NOINHERIT ${flags}`);
    await admin.query(`ALTER ROLE ${login} LOGIN NOINHERIT ${flags} PASSWORD ${literal(scramVerifier(password))}`);
    const { rows: [me] } = await admin.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    // A non-superuser may only give a function to a role it is a member of.
    if (!me?.rolsuper) await admin.query(`GRANT ${definer} TO CURRENT_USER`);
    await admin.query(`REVOKE ALL ON SCHEMA ${api} FROM PUBLIC`);
    await admin.query(`GRANT USAGE ON SCHEMA ${api} TO ${login}`);
    await admin.query(`GRANT USAGE ON SCHEMA ${data} TO ${definer}`);
    await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${data} TO ${definer}`);
    const { rows: fns } = await admin.query<{ fn: string }>(
      "SELECT p.oid::regprocedure::text AS fn FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1) AND p.prokind = 'f' ORDER BY 1", [apiSchema]);
    // ALTER … OWNER TO needs CREATE on the schema for the new owner; only for this moment.
    await admin.query(`GRANT CREATE ON SCHEMA ${api} TO ${definer}`);
    for (const { fn } of fns) {
      await admin.query(`ALTER FUNCTION ${fn} OWNER TO ${definer}`);
      await admin.query(`ALTER FUNCTION ${fn} SECURITY DEFINER`);
      await admin.query(`ALTER FUNCTION ${fn} SET search_path = ${data}, public, pg_temp`);
      await admin.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await admin.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${login}`);
    }
    await admin.query(`REVOKE CREATE ON SCHEMA ${api} FROM ${definer}`);
    await admin.query('COMMIT');
  } catch (err) {
    await admin.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return roles;
}
