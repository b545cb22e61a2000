import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runCli } from '../helpers/cli.ts';
import '../helpers/cluster.ts';

// A second, short-lived cluster of its own, so stopping and corrupting it cannot disturb the shared one.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-cluster-'));
fs.chmodSync(home, 0o755);
const env = { GEOBENCH_HOME: home };
const state = (): { dataDir: string; port: number; password: string } => JSON.parse(fs.readFileSync(path.join(home, 'cluster.json'), 'utf8'));

test.after(async () => {
  await runCli(['db', 'destroy'], env);
  fs.rmSync(home, { recursive: true, force: true });
});

test('db start creates a loopback cluster with the extensions; start again is a no-op', async () => {
  const first = await runCli(['db', 'start'], env);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stderr, /running: postgresql:\/\/geobench@127\.0\.0\.1:\d+\/geobench/);
  const s = state();
  assert.not.match(first.stderr + first.stdout, new RegExp(s.password));
  assert.is((fs.statSync(path.join(home, 'cluster.json')).mode & 0o777), 0o600);
  const again = await runCli(['db', 'start'], env);
  assert.is(again.code, 0);
  assert.not.match(again.stderr, /initializing/);

  const client = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'geobench', password: s.password, database: 'geobench' });
  await client.connect();
  const ext = await client.query('SELECT extname FROM pg_extension ORDER BY 1');
  const settings = await client.query(`SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'shared_preload_libraries', 'cron.database_name')`);
  await client.end();
  assert.equal(ext.rows.map((r) => r.extname).filter((n) => n !== 'plpgsql'), ['pg_cron', 'pg_partman', 'pg_stat_statements', 'postgis']);
  const byName = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  assert.is(byName.listen_addresses, '127.0.0.1');
  assert.is(byName['cron.database_name'], 'geobench');
  assert.match(byName.shared_preload_libraries, /pg_cron/);

  const url = await runCli(['db', 'url'], env);
  assert.is(url.stdout.trim(), `postgresql://geobench@127.0.0.1:${s.port}/geobench`);
});

test('a stale postmaster.pid (pid of a non-postgres process) is removed on start', async () => {
  assert.is((await runCli(['db', 'stop'], env)).code, 0);
  const pidFile = path.join(state().dataDir, 'data', 'postmaster.pid');
  fs.writeFileSync(pidFile, `${process.pid}\n/fake\n`);
  const r = await runCli(['db', 'start'], env);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`removed stale postmaster.pid \\(pid ${process.pid} is not a running postgres\\)`));
  const status = await runCli(['db', 'status'], env);
  assert.match(status.stdout, /running \(pid \d+\)/);
});

test('--port that is in use: clear error, non-zero exit', async () => {
  assert.is((await runCli(['db', 'stop'], env)).code, 0);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await runCli(['db', 'start', '--port', String(port)], env);
    assert.is(r.code, 1);
    assert.match(r.stderr, new RegExp(`port ${port} is already in use on 127\\.0\\.0\\.1`));
  } finally {
    blocker.close();
  }
});

test('db destroy removes the data directory', async () => {
  const dataDir = state().dataDir;
  const r = await runCli(['db', 'destroy'], env);
  assert.is(r.code, 0);
  assert.ok(!fs.existsSync(dataDir));
  assert.match((await runCli(['db', 'status'], env)).stdout, /not created/);
});

test.run();
