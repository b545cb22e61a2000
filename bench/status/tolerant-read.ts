import type pg from 'pg';
import { redact } from '../db/redact.ts';

/**
 * Runs `fn` under a savepoint: if it fails, the transaction goes on and `onError` supplies the
 * fallback (a query that may legitimately fail, e.g. on a table another tool shaped differently).
 */
export async function tolerant<T>(client: pg.Client, fn: () => Promise<T>, onError: (message: string) => T): Promise<T> {
  await client.query('SAVEPOINT status_probe');
  try {
    const value = await fn();
    await client.query('RELEASE SAVEPOINT status_probe');
    return value;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT status_probe');
    return onError(redact((err as Error).message));
  }
}
