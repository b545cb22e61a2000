import pg from 'pg';
import { GeobenchError } from '../core/errors.ts';
import { redact } from './redact.ts';
import type { DbTarget } from './target.ts';

const CONNECT_TIMEOUT_MS = 10_000;

/** Turns driver errors into messages a person can act on; never includes a password. */
export function describeConnectError(target: DbTarget, err: unknown): GeobenchError {
  const e = err as { code?: string; message?: string };
  const where = target.display;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new GeobenchError(`cannot connect to ${where}: connection refused`, { hint: 'is the server running and listening on that port?' });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new GeobenchError(`cannot connect to ${where}: host not found`);
    case 'ETIMEDOUT':
      return new GeobenchError(`cannot connect to ${where}: timed out`);
    case '28P01':
    case '28000':
      return new GeobenchError(`authentication failed for ${where}`, { hint: 'check the user and password (they are not shown here)' });
    case '3D000':
      return new GeobenchError(`database does not exist at ${where}`);
    default:
      if (/timeout/i.test(e.message ?? '')) return new GeobenchError(`cannot connect to ${where}: timed out after ${CONNECT_TIMEOUT_MS / 1000}s`);
      return new GeobenchError(`cannot connect to ${where}: ${redact(e.message ?? String(err))}`);
  }
}

export function clientConfig(target: DbTarget, applicationName = 'geobench'): pg.ClientConfig {
  return { ...target.client, application_name: applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
}

/** Opens one connection. Errors while connected are logged through `onError` instead of crashing. */
export async function connect(target: DbTarget, applicationName?: string): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(target, applicationName));
  // A server that dies emits 'error' on idle clients; without a listener node would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw describeConnectError(target, err);
  }
  return client;
}

/** Runs `fn` with a connection and always closes it. */
export async function withClient<T>(target: DbTarget, fn: (client: pg.Client) => Promise<T>, applicationName?: string): Promise<T> {
  const client = await connect(target, applicationName);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
