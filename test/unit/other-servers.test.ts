import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { otherPostmasters, otherServersWarning } from '../../bench/evidence/other-servers.ts';

const p = (pid: number, ppid: number, comm: string, argv: string[] = []) => ({ pid, ppid, comm, argv });

test('postmasters other than the measured server: a postgres process whose parent is not one, our backend\'s parent left out', () => {
  const procs = [
    p(1, 0, 'systemd'),
    p(100, 1, 'postgres', ['/usr/lib/postgresql/15/bin/postgres', '-D', '/work/a/data']), // ours
    p(101, 100, 'postgres', ['postgres: checkpointer']),
    p(150, 100, 'postgres', ['postgres: geobench geobench 127.0.0.1(5000) idle']), // our backend
    p(200, 1, 'postgres', ['/usr/lib/postgresql/15/bin/postgres', '-D', '/var/tmp/b/data']),
    p(201, 200, 'postgres', ['postgres: pg_cron launcher']),
    p(300, 1, 'postmaster', ['postmaster']),
    p(400, 1, 'node'),
  ];
  assert.equal(otherPostmasters(procs, 150), [{ pid: 200, dataDir: '/var/tmp/b/data' }, { pid: 300, dataDir: null }]);
  assert.equal(otherPostmasters(procs, null).map((s) => s.pid), [100, 200, 300], 'no own backend known: every postmaster is listed');
});

test('the warning names each server and says what to do; none: no warning', () => {
  assert.is(otherServersWarning([]), null);
  const w = otherServersWarning([{ pid: 200, dataDir: '/var/tmp/b/data' }])!;
  assert.match(w, /^1 other PostgreSQL server ran on this machine during the measurement: pid 200 \(\/var\/tmp\/b\/data\);/);
  assert.match(w, /geobench db stop/);
});

test.run();
