import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePort, parseScale, parseSeed, parseWorkers } from '../../bench/cli/options.ts';
import { redact, registerSecret } from '../../bench/db/redact.ts';
import { resolveExternalTarget } from '../../bench/db/target.ts';
import { computeServerSettings } from '../../bench/db/server-settings.ts';
import { formatIdRanges } from '../../bench/dataset/verify.ts';

test('flag parsers accept valid values and reject bad ones with a reason', () => {
  assert.is(parseScale('0.001'), 0.001);
  for (const bad of ['0', '-1', 'abc', '', '11']) assert.throws(() => parseScale(bad));
  assert.throws(() => parseScale('0'), /greater than 0/);
  assert.is(parseSeed('7'), 7);
  assert.throws(() => parseSeed('-1'), /non-negative integer/);
  assert.is(parseWorkers('2'), 2);
  assert.throws(() => parseWorkers('0'), /workers must be an integer from 1/);
  assert.throws(() => parsePort('80'));
});

test('redact hides URL passwords, registered secrets and password= settings', () => {
  registerSecret('s3cr3t-value');
  assert.is(redact('postgresql://bob:hunter22@db:5432/x'), 'postgresql://bob:***@db:5432/x');
  assert.is(redact('failed with s3cr3t-value inside'), 'failed with *** inside');
  assert.is(redact('host=a password=abc user=b'), 'host=a password=*** user=b');
});

test('external target: --db beats DATABASE_URL beats PG*; display has no password; remote hosts need --allow-remote', () => {
  const env = { DATABASE_URL: 'postgres://u:pw1@127.0.0.1:5/envdb', PGHOST: 'localhost' };
  const fromFlag = resolveExternalTarget({ db: 'postgresql://me:topsecret@localhost:6543/flagdb' }, env)!;
  assert.is(fromFlag.display, 'postgresql://me@localhost:6543/flagdb');
  assert.ok(!fromFlag.display.includes('topsecret'));
  assert.is(resolveExternalTarget({}, env)!.display, 'postgresql://u@127.0.0.1:5/envdb');
  assert.is(resolveExternalTarget({}, { PGHOST: '127.0.0.1', PGDATABASE: 'd', PGUSER: 'x' })!.display, 'postgresql://x@127.0.0.1:5432/d');
  assert.is(resolveExternalTarget({}, {}), undefined);
  assert.throws(() => resolveExternalTarget({ db: 'postgres://u@10.1.2.3/db' }, {}), /not on this machine/);
  assert.is(resolveExternalTarget({ db: 'postgres://u@10.1.2.3/db', allowRemote: true }, {})!.host, '10.1.2.3');
  assert.throws(() => resolveExternalTarget({ db: 'mysql://u@localhost/db' }, {}), /postgres:\/\//);
});

test('server settings are sized from memory and keep the server on loopback', () => {
  const s = Object.fromEntries(computeServerSettings({ totalMemoryBytes: 24 * 2 ** 30, cpus: 2 }, 5555, 'geobench').map((x) => [x.name, x.value]));
  assert.is(s.shared_buffers, '6144MB');
  assert.is(s.maintenance_work_mem, '2048MB');
  assert.is(s.listen_addresses, "'127.0.0.1'");
  assert.is(s.port, '5555');
  assert.is(s.shared_preload_libraries, "'pg_cron,pg_stat_statements'");
  assert.is(s['cron.database_name'], "'geobench'");
  const small = Object.fromEntries(computeServerSettings({ totalMemoryBytes: 2 * 2 ** 30, cpus: 1 }, 1, 'g').map((x) => [x.name, x.value]));
  assert.is(small.shared_buffers, '512MB');
});

test('id lists compress into ranges', () => {
  assert.is(formatIdRanges([1, 2, 3, 7, 9, 10]), '1-3, 7, 9-10');
  assert.is(formatIdRanges([]), '');
});

test.run();
