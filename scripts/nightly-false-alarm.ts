/**
 * False-alarm rate of the nightly, measured the way it is used (docs/nightly.md): N nights of
 * unchanged code run one after another into a fresh history, each judged by `geobench nightly`
 * against the nights before it only. Every alarm (a regression or a changed plan) is false: the
 * code never changed. After each night it prints that night's alarms and the running totals per
 * night and per judgement with one-sided 95 % Clopper–Pearson upper bounds, and rewrites
 * <out>/false-alarm.json, so a run stopped early still leaves its numbers.
 *
 *   node --import tsx scripts/nightly-false-alarm.ts --nights 20 --out /tmp/fa [--config scenarios/nightly.json] [--history <dir or postgresql://…>]
 *
 * The history defaults to <out>/history and must not exist yet (a fresh history).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../bench/core/paths.ts';
import { writeFileAtomic } from '../bench/core/atomic-write.ts';
import { parseNightlyReport } from '../bench/formats/nightly-judgement.ts';
import { alarmRates, tallyNight, type NightTally } from '../bench/nightly/alarm-rate.ts';
import { makeDirs } from '../bench/core/output-dir.ts';

const { values } = parseArgs({ options: { nights: { type: 'string', default: '20' }, out: { type: 'string' }, config: { type: 'string' }, history: { type: 'string' } } });
const nights = Number(values.nights);
if (!values.out || !Number.isInteger(nights) || nights < 1) {
  console.error('usage: node --import tsx scripts/nightly-false-alarm.ts --nights N --out <dir> [--config file] [--history dir|url]');
  process.exit(2);
}
const out = path.resolve(values.out);
const history = values.history ?? path.join(out, 'history');
if (!/^postgres(ql)?:\/\//.test(history) && fs.existsSync(history)) {
  console.error(`history ${history} exists: the measurement needs a fresh history`);
  process.exit(2);
}
makeDirs(out);

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`);
const tallies: NightTally[] = [];
const exitCodes: number[] = [];
for (let i = 1; i <= nights; i++) {
  const nightOut = path.join(out, `night-${String(i).padStart(2, '0')}`);
  const args = ['bin/geobench.js', 'nightly', '--history', history, '--out', nightOut, ...(values.config ? ['--config', values.config] : [])];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  exitCodes.push(r.status ?? -1);
  if (r.status === 2 || r.status === 130 || r.signal) {
    console.error(`night ${i}: geobench nightly exited ${r.status ?? r.signal}; stopping`);
    break;
  }
  const report = parseNightlyReport(JSON.parse(fs.readFileSync(path.join(nightOut, 'nightly.json'), 'utf8')), path.join(nightOut, 'nightly.json'));
  const t = tallyNight(report);
  tallies.push(t);
  const rates = alarmRates(tallies);
  console.log(`FALSE-ALARM night ${i}/${nights} (${Math.round((Date.now() - t0) / 1000)} s, exit ${r.status}): ${t.judged ? `${t.metricJudgements} metric + ${t.planJudgements} plan judgements, ${t.alarms.length} alarm(s)${t.alarms.length ? `: ${t.alarms.join(', ')}` : ''}, ${t.suspects} suspect(s)` : 'not judged yet (history too short)'}${t.brokenEntries ? `, ${t.brokenEntries} broken entr${t.brokenEntries === 1 ? 'y' : 'ies'}` : ''}`);
  console.log(`FALSE-ALARM so far: ${rates.nightsWithAlarm}/${rates.judgedNights} judged nights with an alarm (upper 95% ${pct(rates.perNight.upper95)}); ${rates.alarms}/${rates.judgements} judgements alarmed (${pct(rates.perJudgement.rate)}, upper 95% ${pct(rates.perJudgement.upper95)})`);
  writeFileAtomic(path.join(out, 'false-alarm.json'), `${JSON.stringify({ nightsPlanned: nights, exitCodes, nights: tallies, rates }, null, 2)}\n`);
}
