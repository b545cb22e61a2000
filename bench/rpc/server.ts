/**
 * `geobench rpc serve`: node's http server + a pg.Pool around the pure handler (handler.ts).
 * One process: the CLI command is the server; it stops on SIGINT/SIGTERM via `close()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { clientConfig, describeConnectError, withClient } from '../db/connect.ts';
import { isLocalHost, type DbTarget } from '../db/target.ts';
import { assertOwnSchema } from '../db/schema.ts';
import { apiRolePassword, apiRoles, prepareApiRoles } from './api-role.ts';
import { CATALOG_SQL, FunctionCatalog, functionsFromRows, type CatalogRow } from './catalog.ts';
import { allowedHostNames, createRpcHandler, DEFAULT_BODY_LIMIT, DEFAULT_MAX_ROWS, type QueryFn, type RpcResponse } from './handler.ts';

export interface RpcServerOptions {
  readonly target: DbTarget;
  /** Schema whose functions are exposed (default `<target.schema>_api`). */
  readonly apiSchema?: string;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** 0 = a free port. */
  readonly port?: number;
  /** pg.Pool size (default 8). */
  readonly poolSize?: number;
  readonly bodyLimit?: number;
  /** statement_timeout of the pool's connections in ms (default 10 000; 0 = none). */
  readonly statementTimeoutMs?: number;
  /** Server-wide cap on the rows of any response (PostgREST's db-max-rows; default 1000). */
  readonly maxRows?: number;
  readonly log?: (line: string) => void;
}

export interface RpcServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly apiSchema: string;
  /** Names of the exposed functions at start. */
  readonly functions: readonly string[];
  /** The database role the pool logs in as (never a superuser). */
  readonly role: string;
  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then closes the pool. */
  close(graceMs?: number): Promise<void>;
}

/**
 * `<data schema>_api`, or an explicit name that is also one of geobench's own API schemas
 * (`geobench_api`, `geobench_<name>_api`): never `cron`, `public`, a system schema or anyone else's.
 */
export function apiSchemaFor(dataSchema: string, override?: string): string {
  const name = override ?? `${dataSchema}_api`;
  const data = name.endsWith('_api') ? name.slice(0, -4) : '';
  try {
    assertOwnSchema(data);
  } catch {
    throw new GeobenchError(`refusing to serve schema '${name.slice(0, 100)}': only geobench's own API schemas (geobench_api, geobench_<name>_api) can be served`, { exitCode: 2 });
  }
  return name;
}

/** The target's connection settings with another login role. */
function asRole(target: DbTarget, role: string, password: string): pg.ClientConfig {
  const base = clientConfig(target, 'geobench-rpc');
  if (typeof base.connectionString === 'string') {
    const url = new URL(base.connectionString);
    url.username = encodeURIComponent(role);
    url.password = encodeURIComponent(password);
    return { ...base, connectionString: url.toString() };
  }
  return { ...base, user: role, password };
}

/** How the URL of a bound address is written. */
export const urlFor = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const apiSchema = apiSchemaFor(options.target.schema, options.apiSchema);
  const timeout = options.statementTimeoutMs ?? 10_000;
  const role = apiRoles(apiSchema).login;
  const password = apiRolePassword(options.target.display, role);
  await withClient(options.target, async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [apiSchema]);
    if (exists.rowCount === 0) throw new GeobenchError(`schema ${apiSchema} does not exist on ${options.target.display}`, { hint: 'apply OPT3 first (geobench --schema <schema> migrate up --to OPT3)' });
    await prepareApiRoles(admin, options.target.schema, apiSchema, password);
  }, 'geobench-rpc-setup');
  const pool = new pg.Pool({
    ...asRole(options.target, role, password),
    max: options.poolSize ?? 8,
    idleTimeoutMillis: 30_000,
    statement_timeout: timeout > 0 ? timeout : undefined,
    // Like PostgREST (db-schemas + db-extra-search-path): unqualified names in function bodies
    // resolve in the API schema, then the data schema, then public (PostGIS). Both names are
    // validated identifiers.
    options: `-c search_path=${apiSchema},${options.target.schema},public`,
  });
  // An idle client whose server went away emits 'error' on the pool; the next query reports it.
  pool.on('error', () => {});

  const catalog = new FunctionCatalog(apiSchema, async () => {
    const { rows } = await pool.query<CatalogRow>(CATALOG_SQL, [apiSchema]);
    return functionsFromRows(apiSchema, rows);
  });
  try {
    // Defence in depth: whatever the roles look like, the server never runs as a superuser.
    const { rows: [who] } = await pool.query<{ user: string; rolsuper: boolean }>('SELECT current_user AS user, rolsuper FROM pg_roles WHERE rolname = current_user');
    if (!who || who.rolsuper) throw new GeobenchError(`refusing to serve: the API role ${role} is a superuser`, { hint: `ALTER ROLE ${role} NOSUPERUSER` });
    await catalog.refresh();
  } catch (err) {
    await pool.end().catch(() => {});
    throw err instanceof GeobenchError ? err : describeConnectError(options.target, err);
  }

  // Buffered: the capped rows (one JSON text each) joined into the array. Streaming them through a
  // portal (pg-query-stream) kept memory flat under the cap but left a call hanging when its backend
  // was terminated during the first batch (docs/rpc.md); not in until that is solved.
  const query: QueryFn = async ({ name, text, values }) => {
    const result = await pool.query<[string]>({ name, text, values: [...values], rowMode: 'array' });
    return `[${result.rows.map((r) => r[0]).join(',')}]`;
  };
  const handle = createRpcHandler({
    catalog, query, log, bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
    allowedHosts: allowedHostNames(host),
  });

  const server = http.createServer({ requestTimeout: 60_000, keepAliveTimeout: 5_000 }, (req, res) => {
    const send = async (r: RpcResponse): Promise<void> => {
      if (typeof r.body !== 'string') return sendStream(res, r, log);
      if (res.destroyed || res.headersSent) return;
      res.writeHead(r.status, { ...r.headers, 'Content-Length': String(Buffer.byteLength(r.body)) });
      res.end(r.body);
    };
    handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, readBody: bodyReader(req) })
      .then(send)
      .catch((err: unknown) => {
        if (!req.complete || res.destroyed) return void res.destroy(); // the client went away mid-request
        log(`rpc: internal error: ${(err as Error)?.message ?? String(err)}`);
        send({ status: 500, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ code: 'GB500', message: 'Internal server error', details: null, hint: null }) });
      });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' ? 'no such local address' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new GeobenchError(`cannot listen on ${urlFor(host, options.port ?? 0)}: ${why}`, { hint: 'choose another --host / --port' }));
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await pool.end().catch(() => {});
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  if (!isLocalHost(host)) log(`warning: listening on ${host}, reachable from other machines: anyone who can connect may call every function of ${apiSchema} (no authentication)`);

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5_000): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await stopped;
      clearTimeout(force);
      // A pool client still checked out (a call cut by a dying server) must not hold the exit:
      // give the pool the grace period, then exit anyway (the server ends the sessions).
      let abandon: NodeJS.Timeout | undefined;
      await Promise.race([pool.end().catch(() => {}), new Promise<void>((resolve) => (abandon = setTimeout(resolve, graceMs)))]);
      clearTimeout(abandon);
    })();
    return closing;
  };
  return { url: urlFor(host, port), host, port, apiSchema, functions: catalog.names(), role, close };
}

/**
 * A streamed body, chunked, waiting for the socket to drain before the next chunk (so a slow
 * reader holds the server's reading of rows, not its memory). A failure after the status line was
 * sent can only cut the connection: the client sees an incomplete chunked response, never a
 * truncated JSON array that looks whole.
 */
async function sendStream(res: http.ServerResponse, r: RpcResponse, log: (line: string) => void): Promise<void> {
  const chunks = r.body as AsyncIterable<string>;
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) break; // ends the iteration: the stream and its connection are released
      if (!res.headersSent) res.writeHead(r.status, r.headers);
      if (!res.write(chunk)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    }
    if (!res.destroyed) res.end();
  } catch (err) {
    log(`rpc: response cut after it started: ${(err as Error)?.message ?? String(err)}`.split('\n')[0]!);
    res.destroy();
  }
}

/** Reads a request body up to `limit` bytes; past the limit it keeps draining and resolves undefined. */
function bodyReader(req: http.IncomingMessage): (limit: number) => Promise<Buffer | undefined> {
  return (limit) => new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
    req.on('close', () => {
      if (!done) {
        done = true;
        reject(new Error('client closed the connection before the body was complete'));
      }
    });
  });
}
