import pg from 'pg';
import { workloadSearchPath } from '../db/schema.ts';

/**
 * Load connections: one pg.Client each, search_path on the variant's schema (and its API schema), a statement
 * timeout, and named prepared statements per query type (like `pgbench -M prepared`).
 */
export async function openLoadConnection(config: pg.ClientConfig, schema: string, statementTimeoutMs: number): Promise<pg.Client> {
  const client = new pg.Client({ ...config, application_name: 'geobench-load' });
  client.on('error', () => {}); // a dying server errors idle clients; the query path reports it
  await client.connect();
  await client.query(`SET search_path = ${workloadSearchPath(schema)}`);
  await client.query(`SET statement_timeout = ${Math.floor(statementTimeoutMs)}`);
  return client;
}

export type FailureKind = 'timeout' | 'error' | 'fatal';

/**
 * Classifies a failed query: a statement timeout, an ordinary SQL error (counted, the run goes
 * on), or a broken connection (server died or restarted: the segment cannot continue).
 */
export function classifyFailure(err: unknown): FailureKind {
  const code = (err as { code?: unknown }).code;
  if (code === '57014') return 'timeout';
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return 'fatal';
    return 'error';
  }
  return 'fatal'; // network errors (ECONNRESET, EPIPE, "Connection terminated") carry no SQLSTATE
}

/** Drops the socket at once (abandoning an in-flight query) — used when a run is stopped. */
export function destroyConnection(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
  client.end().catch(() => {});
}
