import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { testDatabase } from '../helpers/cluster.ts';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { withClient } from '../../bench/db/connect.ts';
import type { DbTarget } from '../../bench/db/target.ts';
import { runRpcLoad } from '../../bench/rpc/load.ts';
import { apiRolePassword } from '../../bench/rpc/api-role.ts';
import { runCli } from '../helpers/cli.ts';

const DATA = 'geobench_rpctest';
const API = 'geobench_rpctest_api';
const STATEMENT_TIMEOUT_MS = 1500;
const MAX_ROWS = 50;
const ROLE = `${API}_rpc`;

const SETUP = `
DROP SCHEMA IF EXISTS ${API} CASCADE;
DROP SCHEMA IF EXISTS ${DATA} CASCADE;
CREATE SCHEMA ${DATA};
CREATE SCHEMA ${API};
CREATE FUNCTION ${DATA}.hidden() RETURNS int LANGUAGE sql AS 'SELECT 42';
CREATE FUNCTION ${API}.add_numbers(a int, b int) RETURNS TABLE(sum int) LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION ${API}.checked_sqrt(x double precision) RETURNS TABLE(root double precision) LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF x < 0 THEN
    RAISE EXCEPTION 'x must be >= 0, got %', x USING ERRCODE = '22023', HINT = 'pass a non-negative number';
  END IF;
  RETURN QUERY SELECT sqrt(x);
END $$;
CREATE FUNCTION ${API}.describe(doc jsonb, tags text[] DEFAULT '{}') RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('keys', (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM jsonb_object_keys(doc) k), 'tags', to_jsonb(tags), 'big', 9007199254740993::bigint)
$$;
CREATE FUNCTION ${API}.envelope(g geometry) RETURNS TABLE(env geometry, srid int) LANGUAGE sql IMMUTABLE AS $$ SELECT ST_Envelope(g), ST_SRID(g) $$;
CREATE TABLE ${DATA}.items AS SELECT g AS id FROM generate_series(1, 5000) AS g;
CREATE FUNCTION ${API}.list_items(n int) RETURNS TABLE(id int) LANGUAGE sql STABLE AS $$ SELECT id FROM ${DATA}.items ORDER BY id LIMIT n $$;
CREATE FUNCTION ${API}.slow(seconds double precision) RETURNS TABLE(done boolean) LANGUAGE sql AS $$ SELECT pg_sleep(seconds) IS NOT NULL $$;
`;

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  readonly exit: Promise<number | null>;
}

let target: DbTarget;
let server: Server | undefined;
const bodies: string[] = [];

function startServer(): Promise<Server> {
  const bin = path.join(PROJECT_ROOT, 'bin', 'geobench.js');
  // GEOBENCH_HOME (the test cluster) is inherited from this process (test/helpers/cluster.ts).
  const child = spawn(process.execPath, [bin, '--schema', DATA, 'rpc', 'serve', '--port', '0', '--pool', '4', '--statement-timeout', String(STATEMENT_TIMEOUT_MS), '--max-rows', String(MAX_ROWS)], {
    env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 20 s:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => stderr, exit });
      }
    });
    void exit.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening:\n${stderr}`)); });
  });
}

async function call(name: string, body: unknown, init: { method?: string; raw?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; type: string | null; text: string; json: any }> {
  const res = await fetch(`${server!.url}/rpc/${name}`, {
    method: init.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: (init.method ?? 'POST') === 'GET' ? undefined : init.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  bodies.push(text);
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, type: res.headers.get('content-type'), text, json };
}

test.before(async () => {
  target = await testDatabase();
  await withClient(target, (c) => c.query(SETUP));
  server = await startServer();
});

test.after(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exit;
  }
  await withClient(target, (c) => c.query(`DROP SCHEMA IF EXISTS ${API} CASCADE; DROP SCHEMA IF EXISTS ${DATA} CASCADE`));
});

test('prints its URL and the functions it exposes', () => {
  assert.match(server!.stderr(), /serving 6 function\(s\) of geobench_rpctest_api .* as role geobench_rpctest_api_rpc \(pool 4, at most 50 rows per response\)/);
});

test('least privilege: every pool connection is the API role, which is not a superuser', async () => {
  assert.is((await call('add_numbers', { a: 1, b: 1 })).status, 200);
  await withClient(target, async (c) => {
    const { rows } = await c.query(`SELECT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE a.application_name = 'geobench-rpc'`);
    assert.ok(rows.length > 0, 'the pool is connected');
    for (const row of rows) assert.equal(row, { usename: ROLE, rolsuper: false });
    const { rows: [fn] } = await c.query(`SELECT p.prosecdef, pg_get_userbyid(p.proowner) AS owner, r.rolsuper, r.rolcanlogin, p.proconfig
      FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE p.oid = '${API}.list_items(int)'::regprocedure`);
    assert.equal(fn, { prosecdef: true, owner: `${API}_definer`, rolsuper: false, rolcanlogin: false, proconfig: [`search_path=${DATA}, public, pg_temp`] });
  });
});

test('the API role cannot read cron.job or the data schema, read files, run programs, or create functions', async () => {
  const client = new pg.Client({ ...target.client, user: ROLE, password: apiRolePassword(target.display, ROLE) });
  await client.connect();
  try {
    const denied = async (sql: string): Promise<void> => {
      try {
        await client.query(sql);
        assert.unreachable(`${sql} must be refused`);
      } catch (err) {
        assert.is((err as { code?: string }).code, '42501', `${sql}: ${(err as Error).message}`);
      }
    };
    await denied('SELECT count(*) FROM cron.job');
    await denied("SELECT cron.schedule('* * * * *', 'SELECT 1')");
    await denied("SELECT pg_read_file('/etc/passwd')");
    await denied("COPY (SELECT 1) TO PROGRAM 'true'");
    await denied(`SELECT count(*) FROM ${DATA}.items`);
    await denied(`SELECT ${DATA}.hidden()`);
    await denied(`CREATE FUNCTION ${API}.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
    await denied('CREATE TABLE public.mine (x int)');
    // What it may do: call the served functions, which read the data as their definer.
    assert.equal((await client.query(`SELECT count(*)::int AS n FROM ${API}.list_items(10)`)).rows, [{ n: 10 }]);
  } finally {
    await client.end();
  }
});

test('--max-rows bounds every response; the function reads the data as its definer', async () => {
  const r = await call('list_items', { n: 5000 });
  assert.is(r.status, 200);
  assert.is(r.json.length, MAX_ROWS);
  assert.equal(r.json.slice(0, 3), [{ id: 1 }, { id: 2 }, { id: 3 }]);
  assert.is((await call('list_items', { n: 3 })).json.length, 3);
});

function rawPost(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(`${server!.url}/rpc/add_numbers`);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{"a":1,"b":2}');
  });
}

test('a foreign Host header is 421, a missing Content-Type 415 (DNS rebinding, CORS-simple POSTs)', async () => {
  const evil = await rawPost({ Host: 'evil.example', 'Content-Type': 'application/json' });
  assert.is(evil.status, 421);
  assert.match(evil.body, /"code":"GB421"/);
  assert.is((await rawPost({ Host: 'evil.example:80', 'Content-Type': 'application/json' })).status, 421);
  const noType = await rawPost({});
  assert.is(noType.status, 415);
  assert.match(noType.body, /Content-Type \(none\) is not supported/);
  assert.is((await rawPost({ 'Content-Type': 'text/plain' })).status, 415);
  assert.is((await rawPost({ Host: 'localhost', 'Content-Type': 'application/json' })).status, 200);
});

test('only geobench\'s own API schemas can be served: --api-schema cron / public exit 2', async () => {
  for (const schema of ['cron', 'public', 'pg_catalog', DATA]) {
    const r = await runCli(['rpc', 'serve', '--api-schema', schema]);
    assert.is(r.code, 2, `${schema}: ${r.stderr}`);
    assert.match(r.stderr, `refusing to serve schema '${schema}'`);
  }
});

test('success: JSON array of row objects; jsonb, arrays, bigint and GeoJSON round-trip', async () => {
  const r = await call('add_numbers', { a: 2, b: 40 });
  assert.is(r.status, 200);
  assert.is(r.type, 'application/json; charset=utf-8');
  assert.equal(r.json, [{ sum: 42 }]);
  const d = await call('describe', { doc: { b: 1, a: { x: [1] } }, tags: ['x', 'y"z', 'a,b'] });
  assert.is(d.status, 200);
  assert.match(d.text, /"big" ?: ?9007199254740993/, 'bigint stays an exact JSON number (built by the server)');
  assert.equal(d.json[0].describe.keys, ['a', 'b']);
  assert.equal(d.json[0].describe.tags, ['x', 'y"z', 'a,b']);
  assert.equal((await call('describe', { doc: {} })).json[0].describe.tags, [], 'a defaulted argument may be left out');
  const e = await call('envelope', { g: { type: 'LineString', coordinates: [[0, 0], [2, 1]] } });
  assert.is(e.status, 200);
  assert.equal(e.json[0].env, { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [2, 1], [2, 0], [0, 0]]] });
  const ewkt = await call('envelope', { g: 'SRID=4326;POINT(1 2)' });
  assert.is(ewkt.json[0].srid, 4326);
});

test('unreachable functions: unknown, pg_sleep and the data schema are 404 (and nothing runs)', async () => {
  for (const [name, body] of [['no_such_function', {}], ['pg_sleep', { seconds: 5 }], ['hidden', {}]] as const) {
    const started = Date.now();
    const r = await call(name, body);
    assert.is(r.status, 404, name);
    assert.is(r.json.code, 'PGRST202');
    assert.ok(Date.now() - started < 3000, `${name} answered at once`);
  }
});

test('bad bodies and arguments: 400 with the reason', async () => {
  const malformed = await call('add_numbers', null, { raw: '{"a": 1,' });
  assert.is(malformed.status, 400);
  assert.is(malformed.json.code, 'PGRST102');
  assert.is((await call('add_numbers', [1, 2])).status, 400, 'an array is not an object of arguments');
  const type = await call('add_numbers', { a: 'seven', b: 1 });
  assert.is(type.status, 400);
  assert.is(type.json.code, '22P02');
  assert.match(type.json.message, /invalid input syntax for type integer: "seven"/);
  const name = await call('add_numbers', { a: 1, c: 2 });
  assert.is(name.status, 400);
  assert.match(name.json.message, /unknown argument "c".*missing required argument "b"/);
  const overflow = await call('add_numbers', { a: 2147483647, b: 1 });
  assert.is(overflow.status, 400);
  assert.is(overflow.json.code, '22003');
  const notObject = await call('describe', { doc: 5 });
  assert.is(notObject.status, 400, 'jsonb_object_keys on a scalar: 22023 from a built-in');
});

test('a function raising 22023: 400 with its message and hint', async () => {
  const r = await call('checked_sqrt', { x: -1 });
  assert.is(r.status, 400);
  assert.equal(r.json, { code: '22023', message: 'x must be >= 0, got -1', details: null, hint: 'pass a non-negative number' });
  assert.equal((await call('checked_sqrt', { x: 16 })).json, [{ root: 4 }]);
});

test('413 for an oversized body, 405 for GET, 404 for other paths; the server keeps serving', async () => {
  const big = await call('add_numbers', null, { raw: JSON.stringify({ a: 1, b: 2, pad: 'x'.repeat(100 * 1024) }) });
  assert.is(big.status, 413);
  assert.is(big.json.code, 'GB413');
  const get = await call('add_numbers', undefined, { method: 'GET' });
  assert.is(get.status, 405);
  const other = await fetch(`${server!.url}/tables/geometrias`);
  assert.is(other.status, 404);
  bodies.push(await other.text());
  assert.is((await call('add_numbers', { a: 1, b: 1 })).status, 200);
});

test('statement timeout: 504 57014; a backend killed mid-call: 503, then the pool recovers', async () => {
  const slow = await call('slow', { seconds: STATEMENT_TIMEOUT_MS / 1000 + 1 });
  assert.is(slow.status, 504);
  assert.is(slow.json.code, '57014');
  const pending = call('slow', { seconds: 5 });
  await withClient(target, async (c) => {
    for (let i = 0; i < 50; i++) {
      const { rowCount } = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'geobench-rpc' AND state = 'active' AND query LIKE '%"${API}"."slow"%'`);
      if (rowCount) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.unreachable('the slow call never showed up in pg_stat_activity');
  });
  const killed = await pending;
  assert.is(killed.status, 503);
  assert.is(killed.json.code, '57P01');
  assert.is((await call('add_numbers', { a: 1, b: 1 })).status, 200);
});

test('no response body carries a stack trace', () => {
  assert.ok(bodies.length > 15);
  for (const b of bodies) {
    assert.not.match(b, /\n\s+at\s|node_modules|\.ts:\d|Error:\s/, b);
    assert.ok(b.startsWith('{') || b.startsWith('['), 'every body is JSON');
  }
});

test('runRpcLoad: ~2 s against add_numbers, all 2xx, microsecond percentiles', async () => {
  const r = await runRpcLoad({
    url: server!.url, fn: 'add_numbers', seed: 42, connections: 2, durationSec: 2, warmupSec: 0.5,
    args: (rng) => ({ a: Math.floor(rng() * 1000), b: Math.floor(rng() * 1000) }),
  });
  assert.ok(r.requests > 0, 'requests were measured');
  assert.is(r.non2xx, 0, r.errorSamples.join('\n'));
  assert.is(r.errors, 0);
  assert.is(r.timeouts, 0);
  assert.is(r.latency.count, r.requests);
  assert.ok(Number.isInteger(r.latency.p50) && r.latency.p50 >= 50 && r.latency.p50 < 1_000_000, `p50 ${r.latency.p50} µs`);
  assert.ok(r.latency.p99 >= r.latency.p50 && r.latency.max < 10_000_000, `p99 ${r.latency.p99} µs`);
  assert.ok(Math.abs(r.rps * r.durationSec - r.requests) < 1e-6);
  assert.ok(r.encoded.length > 0);
});

test('runRpcLoad refuses a URL that is not on this machine', async () => {
  try {
    await runRpcLoad({ url: 'http://203.0.113.7:3000', fn: 'add_numbers', args: () => ({ a: 1, b: 1 }), seed: 1, connections: 1, durationSec: 1 });
    assert.unreachable('a remote URL must be refused');
  } catch (err) {
    assert.match((err as Error).message, /not on this machine/);
  }
});

test('SIGTERM: closes the server and the pool, exit code 0', async () => {
  server!.child.kill('SIGTERM');
  const code = await server!.exit;
  assert.is(code, 0, server!.stderr());
  assert.match(server!.stderr(), /rpc server stopped/);
  await withClient(target, async (c) => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'geobench-rpc'`);
    assert.is(rows[0].n, 0, 'no pool connection left behind');
  });
});

test.run();
