import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import seedrandom from 'seedrandom';
import { isLoopbackHost, rpcEndpoint, runRpcLoad, successRate } from '../../bench/rpc/load.ts';
import { decodeHistogram } from '../../bench/metrics/histogram.ts';

test('loopback: 127.0.0.0/8, ::1 and localhost only', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '127.255.255.255', 'localhost', 'LOCALHOST', '[::1]', '::1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['128.0.0.1', '10.0.0.1', '0.0.0.0', '192.0.2.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '[::]', '127.256.0.1']) assert.not.ok(isLoopbackHost(h), h);
});

test('endpoint: /rpc/<fn> appended to the base path; remote and non-http refused unless allowed', () => {
  assert.is(rpcEndpoint('http://127.0.0.1:3000', 'add_numbers').href, 'http://127.0.0.1:3000/rpc/add_numbers');
  assert.is(rpcEndpoint('http://localhost:3000/rest/v1/', 'f').href, 'http://localhost:3000/rest/v1/rpc/f');
  assert.throws(() => rpcEndpoint('https://abc.supabase.co/rest/v1', 'f'), /not on this machine/);
  assert.is(rpcEndpoint('https://abc.supabase.co/rest/v1', 'f', true).href, 'https://abc.supabase.co/rest/v1/rpc/f');
  assert.throws(() => rpcEndpoint('ftp://127.0.0.1/', 'f'), /http:\/\/ or https:\/\//);
  assert.throws(() => rpcEndpoint('not a url', 'f'), /not a valid URL/);
  assert.throws(() => rpcEndpoint('http://127.0.0.1', 'a/b'), /not a function name/);
});

test('successRate: 2xx responses per second only', () => {
  assert.is(successRate(1000, 0, 10), 100);
  assert.is(successRate(1000, 400, 10), 60);
  assert.is(successRate(1000, 1000, 10), 0, 'all errors: no throughput');
  assert.is(successRate(5, 1, 0), 0);
});

test('runRpcLoad refuses a remote URL before sending anything', async () => {
  try {
    await runRpcLoad({ url: 'http://192.0.2.10:3000', fn: 'f', args: () => ({}), seed: 1, connections: 1, durationSec: 1 });
    assert.unreachable('should refuse');
  } catch (err) {
    assert.match((err as Error).message, /refusing to send load to '192\.0\.2\.10'/);
  }
});

test('per-connection seeded argument streams, headers, status counting, µs histogram (against an in-process stub)', async () => {
  // A stub in this process is fine for correctness; measurements run the server in another process.
  const bySocket = new Map<Socket, number[]>();
  const seenHeaders: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (seenHeaders.length < 1) seenHeaders.push(req.headers);
      const x = (JSON.parse(body) as { x: number }).x;
      const list = bySocket.get(req.socket) ?? [];
      list.push(x);
      bySocket.set(req.socket, list);
      res.writeHead(x < 0.1 ? 400 : 200, { 'Content-Type': 'application/json' });
      res.end(x < 0.1 ? '{"code":"22023","message":"too small"}' : '[{"ok":true}]');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const r = await runRpcLoad({
      url: `http://127.0.0.1:${port}`, fn: 'f', seed: 'unit', connections: 3, durationSec: 0.6, warmupSec: 0.2,
      args: (rng) => ({ x: rng() }), apiKey: 'sekret-key', headers: { 'x-extra': 'yes' },
    });
    assert.ok(r.requests > 20, `requests ${r.requests}`);
    assert.is(r.errors, 0);
    assert.is(r.timeouts, 0);
    assert.ok(r.non2xx > 0 && r.non2xx < r.requests, 'about 10% are 400');
    assert.is(r.statusCodes['400'], r.non2xx);
    assert.is(r.statusCodes['200']! + r.non2xx, r.requests);
    assert.is(r.latency.count, r.requests - r.non2xx, 'only 2xx in the histogram');
    assert.ok(r.latency.p50 >= 1 && r.latency.p50 < 1_000_000, `p50 ${r.latency.p50} µs`);
    assert.ok(Number.isInteger(r.latency.p50), 'integer µs');
    assert.is(decodeHistogram(r.encoded).totalCount, r.latency.count);
    assert.ok(Math.abs(r.durationSec - 0.6) < 1e-9);
    assert.ok(Math.abs(r.rps - (r.requests - r.non2xx) / 0.6) < 1e-6, 'requests/s counts 2xx only');
    assert.equal(r.errorSamples, ['400 {"code":"22023","message":"too small"}']);
    const h = seenHeaders[0]!;
    assert.is(h.apikey, 'sekret-key');
    assert.is(h.authorization, 'Bearer sekret-key');
    assert.is(h['x-extra'], 'yes');
    assert.is(h['content-type'], 'application/json');
    // Each connection's bodies are a prefix of alea("unit:<i>"), one stream per connection.
    const streams = [...bySocket.values()];
    assert.is(streams.length, 3);
    const matched = new Set<number>();
    for (const got of streams) {
      const i = [0, 1, 2].find((k) => { const rng = seedrandom.alea(`unit:${k}`); return got.every((x) => x === rng()); });
      assert.ok(i !== undefined, 'a connection follows one seeded stream');
      matched.add(i!);
    }
    assert.is(matched.size, 3);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a throwing args generator stops the run with a clear error instead of crashing', async () => {
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('[]')); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    let n = 0;
    for (const failAt of [1, 20]) {
      n = 0;
      try {
        await runRpcLoad({ url: `http://127.0.0.1:${port}`, fn: 'f', seed: 1, connections: 2, durationSec: 5, args: () => { if (++n >= failAt) throw new Error('no more ids'); return {}; } });
        assert.unreachable('should fail');
      } catch (err) {
        assert.match((err as Error).message, /args generator of f failed: no more ids/);
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test.run();
