/**
 * PostgREST-style error bodies and the SQLSTATE → HTTP status table of `geobench rpc serve`.
 *
 * The table follows PostgREST's (docs.postgrest.org, "HTTP Status Codes") with three deliberate
 * differences, all listed in docs/rpc.md: 42883 is 400 (the call reached an existing function with
 * arguments it does not accept), 57014 (statement timeout / cancel) is 504 and 57P01–57P03 (server
 * shutting down / starting) are 503, so a load run can tell "slow" and "down" from "broken".
 */
import { redact } from '../db/redact.ts';

/** The JSON error body PostgREST sends (and Supabase clients parse). */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly details: string | null;
  readonly hint: string | null;
}

export interface ErrorResult {
  readonly status: number;
  readonly error: ApiError;
}

export const apiError = (status: number, code: string, message: string, details: string | null = null, hint: string | null = null): ErrorResult =>
  ({ status, error: { code, message: redact(message), details: details === null ? null : redact(details), hint: hint === null ? null : redact(hint) } });

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** HTTP status for a PostgreSQL SQLSTATE. */
export function statusForSqlState(state: string): number {
  switch (state) {
    case '57014': return 504; // statement_timeout or cancel request
    case '57P01': case '57P02': case '57P03': return 503; // admin / crash shutdown, cannot connect now
    case '42883': return 400; // undefined function: the arguments do not fit (PostgREST: 404)
    case '42P01': return 404;
    case '42P17': return 500;
    case '42501': return 403;
    case '23503': case '23505': return 409;
    case '25006': return 405;
    case '53400': return 500;
    case 'P0001': return 400; // plain RAISE EXCEPTION
  }
  switch (state.slice(0, 2)) {
    case '08': case '53': return 503;
    case '0L': case '0P': case '28': return 403;
    case '09': case '25': case '2D': case '38': case '39': case '3B': case '40':
    case '54': case '55': case '57': case '58': case 'F0': case 'HV': case 'P0': case 'XX':
      return 500;
  }
  return 400; // class 22 (data exception), 42 (syntax / undefined …), 23 (other constraints), …
}

/** Socket-level failures of node-postgres: the database cannot be reached. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const CONNECTION_MESSAGE = /Connection terminated|connection error|Connection timeout|terminating connection|the database system is (starting up|shutting down|in recovery mode)/i;

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  if (typeof e.code === 'string' && /^(08|57P0)/.test(e.code)) return true;
  return typeof e.message === 'string' && CONNECTION_MESSAGE.test(e.message);
}

/**
 * Maps anything a database call can throw to a status and a body. Server errors keep the server's
 * message, detail and hint (PostgREST does the same); anything else gets a fixed message — never a
 * stack trace.
 */
export function errorFromDatabase(err: unknown): ErrorResult {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'string' && SQLSTATE.test(e.code)) {
    const status = statusForSqlState(e.code);
    return apiError(status, e.code, message, typeof e.detail === 'string' ? e.detail : null, typeof e.hint === 'string' ? e.hint : null);
  }
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return apiError(504, 'PGRST003', 'Timed out acquiring a database connection', null, 'the pool is busy or the database does not answer; see --pool');
  }
  if (isConnectionError(err)) {
    return apiError(503, 'PGRST000', 'Database unavailable', message.split('\n')[0] ?? null, 'is the PostgreSQL server running?');
  }
  return apiError(500, 'GB500', 'Internal server error', null, null);
}
