import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type pg from 'pg';
import { GeobenchError } from '../../bench/core/errors.ts';
import { requireOpt45Extensions } from '../../bench/validate/opt45.ts';

/** A stand-in for a connection: answers the preflight's three questions, records every statement. */
function fakeClient(extensions: string[], cronDatabase: string | null = 'geobench'): { client: pg.Client; statements: string[] } {
  const statements: string[] = [];
  const client = {
    async query(sql: string) {
      statements.push(sql);
      if (sql.includes('FROM pg_extension')) return { rows: extensions.map((extname) => ({ extname })) };
      if (sql.includes('cron.database_name')) return { rows: [{ current_setting: cronDatabase }] };
      if (sql.includes('current_database()')) return { rows: [{ current_database: 'geobench' }] };
      throw new Error(`unexpected statement: ${sql}`);
    },
  } as unknown as pg.Client;
  return { client, statements };
}

async function failure(extensions: string[], cronDatabase?: string | null): Promise<GeobenchError> {
  const { client, statements } = fakeClient(extensions, cronDatabase);
  try {
    await requireOpt45Extensions(client);
  } catch (err) {
    assert.instance(err, GeobenchError);
    assert.ok(statements.every((s) => /^\s*SELECT/i.test(s)), 'the preflight only reads');
    return err as GeobenchError;
  }
  assert.unreachable('the preflight should have refused');
  throw new Error('unreachable');
}

test('validate opt45 refuses, naming the extension, when pg_cron or pg_partman is missing', async () => {
  const cron = await failure(['pg_partman']);
  assert.match(cron.message, /needs the extension pg_cron in database geobench/);
  assert.match(cron.hint!, /shared_preload_libraries/);
  const partman = await failure(['pg_cron']);
  assert.match(partman.message, /needs the extension pg_partman/);
  assert.match(partman.hint!, /postgresql-15-partman/);
  assert.match((await failure([])).message, /pg_cron/);
});

test('validate opt45 refuses when pg_cron runs its jobs in another database', async () => {
  const e = await failure(['pg_cron', 'pg_partman'], 'postgres');
  assert.match(e.message, /cron\.database_name is postgres/);
  assert.match((await failure(['pg_cron', 'pg_partman'], null)).message, /not set/);
});

test('both extensions present and pg_cron in this database: no error', async () => {
  await requireOpt45Extensions(fakeClient(['pg_cron', 'pg_partman']).client);
});

test.run();
