import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testDatabase } from '../helpers/cluster.ts';
import { runCli } from '../helpers/cli.ts';

test('unknown command and unknown flag: usage error, exit 2', async () => {
  const cmd = await runCli(['frobnicate']);
  assert.is(cmd.code, 2);
  assert.match(cmd.stderr, /unknown command 'frobnicate'/);
  const flag = await runCli(['dataset', 'generate', '--bogus']);
  assert.is(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'/);
});

test('bad --scale and --workers values are rejected before anything runs', async () => {
  for (const [args, message] of [
    [['--scale', '0'], /scale must be greater than 0/],
    [['--scale', '-2'], /scale must be greater than 0/],
    [['--scale', 'lots'], /scale must be a number/],
    [['--workers', '0'], /workers must be an integer from 1 to 64/],
  ] as const) {
    const r = await runCli(['dataset', 'generate', ...args]);
    assert.is(r.code, 2, `${args.join(' ')} exits 2`);
    assert.match(r.stderr, message);
  }
});

test('rpc load and --rpc-url: a non-local URL, a missing API-key variable and bad --args are usage errors; the key is never printed', async () => {
  const remote = await runCli(['rpc', 'load', 'layer_stats', '--rpc-url', 'https://example.supabase.co/rest/v1']);
  assert.is(remote.code, 2);
  assert.match(remote.stderr, /refusing to send load to 'example\.supabase\.co': it is not on this machine/);
  const noKey = await runCli(['rpc', 'load', 'layer_stats', '--rpc-url', 'http://127.0.0.1:9', '--rpc-api-key-env', 'GEOBENCH_TEST_UNSET_KEY']);
  assert.is(noKey.code, 2);
  assert.match(noKey.stderr, /GEOBENCH_TEST_UNSET_KEY: that environment variable is not set/);
  const badArgs = await runCli(['rpc', 'load', 'layer_stats', '--rpc-url', 'http://127.0.0.1:9', '--args', '[1,2]']);
  assert.is(badArgs.code, 2);
  assert.match(badArgs.stderr, /--args must be a JSON object/);
  const validate = await runCli(['validate', 'opt3', '--rpc-url', 'http://10.9.8.7:3000']);
  assert.is(validate.code, 2, 'validate checks --rpc-url before touching the database');
  // A refused connection: the run reports errors (exit 1) and never prints the key.
  const refused = await runCli(['rpc', 'load', 'layer_stats', '--rpc-url', 'http://127.0.0.1:9', '--rpc-api-key-env', 'GEOBENCH_TEST_KEY', '--duration', '1', '--warmup', '0'], { GEOBENCH_TEST_KEY: 'sk-very-secret-123' });
  assert.is(refused.code, 1, refused.stderr);
  assert.not.match(refused.stdout + refused.stderr, /sk-very-secret-123/);
});

test('unreachable database: clear error, non-zero exit, password never printed', async () => {
  const r = await runCli(['dataset', 'verify', '--db', 'postgresql://bench:Sup3rSecretPw@127.0.0.1:1/nowhere']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /cannot connect to postgresql:\/\/bench@127\.0\.0\.1:1\/nowhere: connection refused/);
  assert.not.match(r.stderr + r.stdout, /Sup3rSecretPw/);
});

test('a remote database needs --allow-remote', async () => {
  const r = await runCli(['dataset', 'verify', '--db', 'postgresql://bench:pw@192.0.2.10:5432/x']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /not on this machine/);
});

test('wrong password against the real server: authentication error without the password', async () => {
  const target = await testDatabase();
  const port = target.client.port;
  const r = await runCli(['dataset', 'verify', '--db', `postgresql://geobench:WrongPassw0rd@127.0.0.1:${port}/geobench`]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /authentication failed for postgresql:\/\/geobench@127\.0\.0\.1:\d+\/geobench/);
  assert.not.match(r.stderr + r.stdout, /WrongPassw0rd/);
});

test('missing PostgreSQL binaries name the package to install', async () => {
  const r = await runCli(['db', 'start'], { GEOBENCH_PG_BINDIR: '/nonexistent/bin', GEOBENCH_HOME: '/tmp/geobench-missing-bins' });
  assert.is(r.code, 1);
  assert.match(r.stderr, /PostgreSQL 15 server binaries \(initdb, pg_ctl\) not found/);
  assert.match(r.stderr, /install the Debian package postgresql-15/);
});

test.run();
