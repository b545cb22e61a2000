import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { GeobenchError } from '../../core/errors.ts';
import { RESULTS_DIR } from '../../core/paths.ts';
import { assertWritableDir } from '../../core/output-dir.ts';
import { openDatabase } from '../../db/resolve.ts';
import { say, targetOptions } from '../context.ts';
import { formatRunSummary } from '../run-summary.ts';
import { reportAfterRun } from './report.ts';
import { checkShards } from '../../shard/merge-check.ts';
import { mergeShardRecords } from '../../shard/merge-result.ts';
import { readShardFolders, readShardRun, waitForShards, writeMergedRun } from '../../shard/merge-sources.ts';
import { integerParser } from '../options.ts';
import { formatShardTable } from '../../shard/shard-lines.ts';
import type { ShardRecord } from '../../shard/shard-record.ts';

export function registerMerge(program: Command): void {
  program.command('merge')
    .description('merge the shards of a distributed run into one result folder (result.json, latency.hlog, plans, report); see docs/distributed.md')
    .argument('<run-id-or-folders...>', 'the run id the shards ran with (read from geobench_coord in the database), or the shards\' folders')
    .option('--out <dir>', 'output folder (default results/<run-id>)')
    .option('--wait-for-shards <s>', 'with a run id: first wait up to this long until every shard has finished or died (a merge Job that starts with the shards)', integerParser('wait-for-shards', 1, 86_400))
    .action(async (sources: string[], opts: { out?: string; waitForShards?: number }, cmd: Command) => {
      if (opts.waitForShards !== undefined && sources.some((s) => fs.existsSync(s))) throw new GeobenchError('--wait-for-shards waits in the database: give a run id, not folders', { exitCode: 2 });
      const folders = sources.every((s) => fs.existsSync(s) && fs.statSync(s).isDirectory());
      let records: ShardRecord[];
      if (folders) records = readShardFolders(sources);
      else {
        if (sources.length !== 1) throw new GeobenchError(`give one run id or only existing shard folders (not a folder: ${sources.filter((s) => !fs.existsSync(s)).join(', ')})`, { exitCode: 2 });
        const server = await openDatabase(targetOptions(cmd), say);
        if (opts.waitForShards !== undefined) await waitForShards(server, sources[0]!, opts.waitForShards, say);
        records = (await readShardRun(server, sources[0]!)).records;
        if (records.length === 0) throw new GeobenchError(`run ${sources[0]} has no shard that joined it`, { exitCode: 2 });
      }
      checkShards(records);
      const runId = records[0]!.runId;
      const outDir = path.resolve(opts.out ?? path.join(RESULTS_DIR, runId));
      if (fs.existsSync(path.join(outDir, 'result.json'))) throw new GeobenchError(`${outDir} already holds a result; choose another --out`, { exitCode: 2 });
      assertWritableDir(outDir, '--out');
      const merged = mergeShardRecords([...records].sort((a, b) => a.index - b.index), new Date().toISOString());
      const file = writeMergedRun(outDir, merged);
      const d = merged.result.distributed!;
      console.log(formatShardTable(d.shards, d.startSkewMicros));
      console.log('');
      console.log(formatRunSummary(merged.result));
      console.log(`\nresults: ${file}`);
      if (merged.result.status !== 'complete') process.exitCode = 1;
      else if (merged.result.kpis.some((k) => k.pass === false)) process.exitCode = 1;
      await reportAfterRun(outDir);
    });
}
