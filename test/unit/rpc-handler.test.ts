import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCall, encodeArgValue, FunctionCatalog, functionsFromRows, type CatalogArg, type CatalogFunction, type CatalogRow } from '../../bench/rpc/catalog.ts';
import { createRpcHandler, type QueryFn, type RpcRequest, type RpcResponse } from '../../bench/rpc/handler.ts';
import { statusForSqlState } from '../../bench/rpc/errors.ts';
import { apiSchemaFor } from '../../bench/rpc/server.ts';
import { allowedHostNames, hostName } from '../../bench/rpc/handler.ts';

const API = 'geobench_api';
const arg = (name: string, type: string, extra: Partial<CatalogArg> = {}): CatalogArg => ({ name, type, category: type.endsWith('[]') ? 'A' : 'N', mode: 'i', hasDefault: false, ...extra });
const fn = (name: string, inputs: CatalogArg[], oid = 1): CatalogFunction => ({ oid, schema: API, name, inputs, returnType: 'record', returnsSet: true });

const FUNCTIONS: CatalogFunction[] = [
  fn('add_numbers', [arg('a', 'integer'), arg('b', 'integer')]),
  fn('no_args', []),
  fn('with_default', [arg('x', 'integer'), arg('y', 'text', { category: 'S', hasDefault: true })]),
  fn('docs', [arg('doc', 'jsonb', { category: 'U' }), arg('ids', 'bigint[]'), arg('g', 'geometry', { category: 'U' })]),
  fn('over', [arg('a', 'integer')], 10),
  fn('over', [arg('b', 'text')], 11),
  fn('twin', [arg('a', 'integer')], 20),
  fn('twin', [arg('a', 'integer'), arg('b', 'integer', { hasDefault: true })], 21),
  fn('we"ird', [arg('odd "name"', 'integer')]),
];

interface Setup {
  handle: (req: RpcRequest) => Promise<RpcResponse>;
  calls: Parameters<QueryFn>[0][];
  loads: () => number;
  functions: CatalogFunction[];
}

function setup(query?: QueryFn, opts: { bodyLimit?: number; load?: () => Promise<CatalogFunction[]> } = {}): Setup {
  const functions = [...FUNCTIONS];
  let loads = 0;
  const catalog = new FunctionCatalog(API, opts.load ?? (async () => (loads++, [...functions])), 0);
  const calls: Parameters<QueryFn>[0][] = [];
  const handle = createRpcHandler({
    catalog,
    bodyLimit: opts.bodyLimit ?? 1024,
    query: async (q) => {
      calls.push(q);
      return query ? query(q) : '[{"ok":true}]';
    },
  });
  return { handle, calls, loads: () => loads, functions };
}

interface ReqInit { method?: string; body?: string | Buffer; headers?: Record<string, string> }
function request(url: string, init: ReqInit = {}): RpcRequest & { bodyRead: () => boolean } {
  const body = init.body === undefined ? Buffer.alloc(0) : Buffer.from(init.body);
  let read = false;
  return {
    method: init.method ?? 'POST',
    url,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...init.headers },
    readBody: async (limit) => ((read = true), body.length > limit ? undefined : body),
    bodyRead: () => read,
  };
}

const post = (s: Setup, name: string, body: unknown): Promise<RpcResponse> => s.handle(request(`/rpc/${name}`, { body: typeof body === 'string' ? body : JSON.stringify(body) }));
const json = (r: RpcResponse): { code: string; message: string; details: string | null; hint: string | null } => JSON.parse(r.body as string);

test('success: 200, JSON content type, the query result as body, values bound as text', async () => {
  const s = setup(async () => '[{"sum":3}]');
  const r = await post(s, 'add_numbers', { a: 1, b: 2 });
  assert.is(r.status, 200);
  assert.is(r.headers['Content-Type'], 'application/json; charset=utf-8');
  assert.is(r.body, '[{"sum":3}]');
  assert.is(s.calls.length, 1);
  assert.is(s.calls[0]!.text, `SELECT row_to_json(r.*)::text AS row FROM (SELECT * FROM "geobench_api"."add_numbers"("a" => $1::integer, "b" => $2::integer)) AS r`);
  assert.equal(s.calls[0]!.values, ['1', '2']);
});

test('SQL text: only $n placeholders and quoted catalog identifiers; argument order from the declaration', async () => {
  const s = setup();
  const evil = `1); DROP TABLE geobench.geometrias; --'"`;
  await post(s, 'add_numbers', { b: evil, a: 7 });
  await post(s, 'add_numbers', { a: 7, b: evil });
  const [first, second] = s.calls;
  assert.is(first!.text, second!.text, 'key order does not change the statement');
  assert.is(first!.name, second!.name, 'so one prepared statement serves both');
  assert.match(first!.name, /^gbrpc_[0-9a-f]{24}$/);
  assert.not.ok(first!.text.includes('DROP'), 'values never reach the SQL text');
  assert.equal(first!.values, ['7', evil]);
  // Everything outside placeholders is fixed text or a quoted identifier from the catalog.
  const skeleton = first!.text.replace(/"(?:[^"]|"")*"/g, 'ID').replace(/\$\d+::integer/g, 'P');
  assert.is(skeleton, `SELECT row_to_json(r.*)::text AS row FROM (SELECT * FROM ID.ID(ID => P, ID => P)) AS r`);
  await post(s, 'we%22ird', { 'odd "name"': 1 });
  assert.ok(s.calls[2]!.text.includes(`"geobench_api"."we""ird"("odd ""name""" => $1::integer)`));
  assert.is(buildCall(FUNCTIONS[0]!, FUNCTIONS[0]!.inputs).text, first!.text);
});

test('routing: other paths 404, other methods 405 with Allow: POST', async () => {
  const s = setup();
  for (const path of ['/', '/other', '/rpc', '/rpc/', '/rpc/a/b', '/rest/v1/rpc/add_numbers']) {
    const r = await s.handle(request(path, { body: '{}' }));
    assert.is(r.status, 404, path);
    assert.is(json(r).code, 'PGRST125');
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
    const r = await s.handle(request('/rpc/add_numbers', { method }));
    assert.is(r.status, 405, method);
    assert.is(r.headers.Allow, 'POST');
    assert.is(json(r).code, 'PGRST101');
  }
  const q = await s.handle(request('/rpc/add_numbers?select=sum', { body: '{"a":1,"b":2}' }));
  assert.is(q.status, 200, 'a query string is ignored');
  assert.is(s.calls.length, 1);
});

test('unknown functions and functions outside the API schema: 404 after one catalog reload', async () => {
  const s = setup();
  await post(s, 'add_numbers', { a: 1, b: 2 });
  const before = s.loads();
  for (const name of ['nope', 'pg_sleep', 'public.pg_sleep', 'pg_catalog.pg_sleep', '%22geobench_api%22.add_numbers']) {
    const r = await post(s, name, { seconds: 1 });
    assert.is(r.status, 404, name);
    assert.is(json(r).code, 'PGRST202');
  }
  assert.is(s.loads(), before + 5, 'each miss reloads (minRefreshMs 0 here)');
  assert.is(s.calls.length, 1, 'no query for unknown functions');
});

test('a function created after start is found by the reload on a miss', async () => {
  const s = setup();
  assert.is((await post(s, 'fresh', {})).status, 404);
  s.functions.push(fn('fresh', []));
  assert.is((await post(s, 'fresh', {})).status, 200);
});

test('reload on a miss is throttled and shared', async () => {
  let t = 0;
  let loads = 0;
  const catalog = new FunctionCatalog(API, async () => (loads++, FUNCTIONS), 1000, () => t);
  await catalog.refresh();
  await Promise.all([catalog.lookup('x'), catalog.lookup('y')]);
  assert.is(loads, 1, 'within the interval: no reload');
  t = 2000;
  await Promise.all([catalog.lookup('x'), catalog.lookup('y')]);
  assert.is(loads, 2, 'concurrent misses share one reload');
});

test('body: malformed JSON or a non-object is 400 PGRST102; an empty body means no arguments', async () => {
  const s = setup();
  for (const body of ['{"a":1,', 'nope', '[1,2]', 'null', '"text"', '42', 'true']) {
    const r = await post(s, 'add_numbers', body);
    assert.is(r.status, 400, body);
    assert.is(json(r).code, 'PGRST102');
  }
  assert.is((await post(s, 'no_args', '')).status, 200);
  assert.is((await post(s, 'no_args', '  ')).status, 200);
  assert.is(s.calls.length, 2);
  assert.is(s.calls[0]!.text.includes('"no_args"()'), true);
});

test('413: an announced oversized body is refused without reading it; a streamed one at the limit', async () => {
  const s = setup(undefined, { bodyLimit: 100 });
  const announced = request('/rpc/add_numbers', { body: 'x'.repeat(10), headers: { 'content-length': '5000' } });
  const r1 = await s.handle(announced);
  assert.is(r1.status, 413);
  assert.is(r1.headers.Connection, 'close');
  assert.is(json(r1).code, 'GB413');
  assert.not.ok(announced.bodyRead());
  const chunked = request('/rpc/add_numbers', { body: `{"a":"${'1'.repeat(200)}"}`, headers: { 'content-length': '' } });
  assert.is((await s.handle(chunked)).status, 413);
  assert.ok(chunked.bodyRead());
  assert.is((await post(s, 'add_numbers', { a: 1, b: 2 })).status, 200, 'under the limit');
  assert.is(s.calls.length, 1);
});

test('415 for a body that is not JSON and for a missing or empty Content-Type (no CORS-simple POST reaches a function)', async () => {
  const s = setup();
  const r = await s.handle(request('/rpc/add_numbers', { body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
  assert.is(r.status, 415);
  assert.is(json(r).code, 'PGRST107');
  const noType = request('/rpc/add_numbers', { body: '{"a":1,"b":2}' });
  delete (noType.headers as Record<string, string>)['content-type'];
  const none = await s.handle(noType);
  assert.is(none.status, 415);
  assert.match(json(none).message, 'Content-Type (none) is not supported');
  assert.is((await s.handle(request('/rpc/add_numbers', { body: '{"a":1,"b":2}', headers: { 'content-type': '' } }))).status, 415);
  assert.is((await s.handle(request('/rpc/add_numbers', { body: '{"a":1,"b":2}', headers: { 'content-type': 'text/plain' } }))).status, 415);
  assert.is(s.calls.length, 0, 'nothing ran');
  const charset = await s.handle(request('/rpc/add_numbers', { body: '{"a":1,"b":2}', headers: { 'content-type': 'Application/JSON; charset=utf-8' } }));
  assert.is(charset.status, 200);
});

test('argument validation: unknown and missing arguments 400 naming them; defaults may be left out', async () => {
  const s = setup();
  const unknown = await post(s, 'add_numbers', { a: 1, b: 2, c: 3 });
  assert.is(unknown.status, 400);
  assert.is(json(unknown).code, 'PGRST202');
  assert.match(json(unknown).message, /unknown argument "c"/);
  assert.match(json(unknown).hint!, /add_numbers\(a integer, b integer\)/);
  const missing = await post(s, 'add_numbers', { a: 1 });
  assert.is(missing.status, 400);
  assert.match(json(missing).message, /missing required argument "b"/);
  const proto = await post(s, 'add_numbers', '{"a":1,"b":2,"__proto__":{"x":1}}');
  assert.is(proto.status, 400, '__proto__ is just an unknown name');
  assert.is(s.calls.length, 0);
  assert.is((await post(s, 'with_default', { x: 1 })).status, 200);
  assert.ok(s.calls[0]!.text.includes('("x" => $1::integer)'));
  assert.is((await post(s, 'with_default', { x: 1, y: 'z' })).status, 200);
  assert.ok(s.calls[1]!.text.includes('("x" => $1::integer, "y" => $2::text)'));
});

test('overloads: chosen by argument names; ambiguous is 300 PGRST203', async () => {
  const s = setup();
  assert.is((await post(s, 'over', { a: 1 })).status, 200);
  assert.ok(s.calls[0]!.text.includes('"a" => $1::integer'));
  assert.is((await post(s, 'over', { b: 'x' })).status, 200);
  assert.ok(s.calls[1]!.text.includes('"b" => $1::text'));
  assert.is((await post(s, 'over', { c: 1 })).status, 400);
  const twin = await post(s, 'twin', { a: 1 });
  assert.is(twin.status, 300);
  assert.is(json(twin).code, 'PGRST203');
  assert.is((await post(s, 'twin', { a: 1, b: 2 })).status, 200);
});

test('values: jsonb as JSON text, arrays as array literals, objects as JSON (GeoJSON), null as NULL', async () => {
  const s = setup();
  const geojson = { type: 'Point', coordinates: [1, 2] };
  await post(s, 'docs', { doc: { k: ['v', 1] }, ids: [1, 2, 10 ** 12], g: geojson });
  assert.equal(s.calls[0]!.values, ['{"k":["v",1]}', '{"1","2","1000000000000"}', JSON.stringify(geojson)]);
  assert.ok(s.calls[0]!.text.includes('"doc" => $1::jsonb, "ids" => $2::bigint[], "g" => $3::geometry'));
  await post(s, 'docs', { doc: 'just a string', ids: null, g: 'SRID=4326;POINT(1 2)' });
  assert.equal(s.calls[1]!.values, ['"just a string"', null, 'SRID=4326;POINT(1 2)']);
  assert.is(encodeArgValue(true, arg('x', 'boolean')), 'true');
  assert.is(encodeArgValue(2.5, arg('x', 'double precision')), '2.5');
  assert.is(encodeArgValue(null, arg('x', 'jsonb')), null, 'JSON null is SQL NULL');
  assert.is(encodeArgValue([['a"b', null], ['c\\d']], arg('x', 'text[]')), '{{"a\\"b",NULL},{"c\\\\d"}}');
  assert.is(encodeArgValue([1, 2], arg('x', 'integer')), '[1,2]', 'an array for a scalar fails in the cast, server-side');
});

test('error mapping: SQLSTATE → HTTP status, with the server message, detail and hint', async () => {
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ code: '22023', message: 'radius must be positive', detail: 'got -1', hint: 'use a positive radius' }, 400, '22023'],
    [{ code: '22P02', message: 'invalid input syntax for type integer: "x"' }, 400, '22P02'],
    [{ code: '42883', message: 'function does not exist' }, 400, '42883'],
    [{ code: 'P0001', message: 'raised' }, 400, 'P0001'],
    [{ code: '23505', message: 'duplicate key' }, 409, '23505'],
    [{ code: '42501', message: 'permission denied' }, 403, '42501'],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }, 504, '57014'],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, 503, '57P01'],
    [{ code: '53300', message: 'too many connections' }, 503, '53300'],
    [{ code: 'XX000', message: 'internal' }, 500, 'XX000'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 503, 'PGRST000'],
    [{ message: 'Connection terminated unexpectedly' }, 503, 'PGRST000'],
    [{ message: 'timeout exceeded when trying to connect' }, 504, 'PGRST003'],
  ];
  for (const [err, status, code] of cases) {
    const s = setup(async () => { throw Object.assign(new Error(String(err.message)), err); });
    const r = await post(s, 'add_numbers', { a: 1, b: 2 });
    assert.is(r.status, status, String(err.code ?? err.message));
    const body = json(r);
    assert.is(body.code, code);
    assert.equal(Object.keys(body).sort(), ['code', 'details', 'hint', 'message']);
    if (status < 500 || code.length === 5) assert.is(body.message, err.message);
  }
  const first = setup(async () => { throw Object.assign(new Error('radius must be positive'), { code: '22023', detail: 'got -1', hint: 'use a positive radius' }); });
  const body = json(await post(first, 'add_numbers', { a: 1, b: 2 }));
  assert.equal(body, { code: '22023', message: 'radius must be positive', details: 'got -1', hint: 'use a positive radius' });
});

test('no stack traces: an unexpected error is a generic 500; a failing catalog is 503', async () => {
  const s = setup(async () => { throw new TypeError('Cannot read properties of undefined (reading x)'); });
  const r = await post(s, 'add_numbers', { a: 1, b: 2 });
  assert.is(r.status, 500);
  assert.equal(json(r), { code: 'GB500', message: 'Internal server error', details: null, hint: null });
  assert.not.match(r.body as string, /\bat |TypeError|\.ts:/);
  const down = setup(undefined, { load: async () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }); } });
  const d = await post(down, 'add_numbers', { a: 1, b: 2 });
  assert.is(d.status, 503);
  assert.is(json(d).code, 'PGRST000');
  assert.not.match(d.body as string, /\n\s+at /);
});

test('statusForSqlState follows PostgREST except 42883/57014/57P0x', () => {
  const table: Record<string, number> = {
    '08006': 503, '09000': 500, '0L000': 403, '0P000': 403, '23503': 409, '23505': 409, '23502': 400, '25006': 405, '25001': 500,
    '28P01': 403, '2D000': 500, '38000': 500, '39000': 500, '3B000': 500, '40001': 500, '53400': 500, '53100': 503, '54000': 500,
    '55000': 500, '57000': 500, '57014': 504, '57P03': 503, '58000': 500, F0000: 500, HV000: 500, P0001: 400, P0002: 500, XX000: 500,
    '42883': 400, '42P01': 404, '42P17': 500, '42501': 403, '22023': 400, '22P02': 400, '42601': 400, '42804': 400,
  };
  for (const [state, status] of Object.entries(table)) assert.is(statusForSqlState(state), status, state);
});

test('catalog rows: outputs dropped, trailing defaults marked', () => {
  const rows: CatalogRow[] = [{
    oid: '42', name: 'f', returns_set: true, n_defaults: 1, return_type: 'record',
    args: [
      { name: 'a', type: 'integer', mode: 'i', category: 'N' },
      { name: 'out1', type: 'text', mode: 'o', category: 'S' },
      { name: 'b', type: 'integer', mode: 'b', category: 'N' },
      { name: 'c', type: 'jsonb', mode: 'i', category: 'U' },
      { name: 'sum', type: 'integer', mode: 't', category: 'N' },
    ],
  }];
  const [f] = functionsFromRows(API, rows);
  assert.is(f!.oid, 42);
  assert.equal(f!.inputs.map((a) => `${a.name}:${a.mode}:${a.hasDefault}`), ['a:i:false', 'b:b:false', 'c:i:true']);
  const v = functionsFromRows(API, [{ ...rows[0]!, n_defaults: 0, args: [{ name: 'xs', type: 'integer[]', mode: 'v', category: 'A' }] }])[0]!;
  assert.ok(buildCall(v, v.inputs).text.includes('(VARIADIC "xs" => $1::integer[])'));
});

test('API schema: <schema>_api by default; system schemas and odd names refused', () => {
  assert.is(apiSchemaFor('geobench'), 'geobench_api');
  assert.is(apiSchemaFor('geobench_opt3'), 'geobench_opt3_api');
  assert.is(apiSchemaFor('geobench', 'geobench_other_api'), 'geobench_other_api', "another of geobench's own API schemas");
  for (const bad of ['cron', 'public', 'api', 'geobench', 'geobench_opt3', 'pg_catalog', 'information_schema', 'Api', 'a;b', 'a"b', '', 'geobench_API', 'x_api', 'pg_toast_api']) {
    assert.throws(() => apiSchemaFor('geobench', bad), /only geobench's own API schemas/, bad);
  }
});

test('Host header: the bound address and loopback names pass (any port); others get 421 before anything runs', async () => {
  const functions = [...FUNCTIONS];
  const calls: unknown[] = [];
  const handle = createRpcHandler({
    catalog: new FunctionCatalog(API, async () => functions, 0),
    query: async (q) => (calls.push(q), '[]'),
    allowedHosts: allowedHostNames('192.168.1.5'),
  });
  const withHost = (host: string | undefined): RpcRequest => {
    const r = request('/rpc/add_numbers', { body: '{"a":1,"b":2}', headers: host === undefined ? {} : { host } });
    return r;
  };
  for (const ok of ['127.0.0.1:3000', 'localhost', 'LOCALHOST:80', '[::1]:9', '192.168.1.5:8080', '192.168.1.5']) assert.is((await handle(withHost(ok))).status, 200, ok);
  for (const bad of ['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil', '[::2]:1', '']) {
    const r = await handle(withHost(bad));
    assert.is(r.status, 421, bad);
    assert.is(json(r).code, 'GB421');
  }
  assert.is((await handle(withHost(undefined))).status, 421, 'no Host header');
  assert.is(calls.length, 6);
  assert.is(hostName('[::1]:8080'), '::1');
  assert.is(hostName('Example.COM:80'), 'example.com');
});

test('row cap: the call statement ends the function at max rows (an integer in the text, not a parameter of the request)', () => {
  const f = FUNCTIONS[0]!;
  assert.match(buildCall(f, f.inputs, 1000).text, /\) LIMIT 1000\) AS r$/);
  assert.not.match(buildCall(f, f.inputs).text, /LIMIT/);
});

test.run();
