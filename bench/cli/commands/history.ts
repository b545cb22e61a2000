import path from 'node:path';
import type { Command } from 'commander';
import { GeobenchError } from '../../core/errors.ts';
import { say } from '../context.ts';
import { historySpec, openHistoryStore } from '../../nightly/history-open.ts';
import { importFolderHistory } from '../../nightly/history-import.ts';
import { isHistoryUrl } from '../../nightly/store.ts';
import { DEFAULT_HISTORY_DIR } from './nightly.ts';

export function registerHistory(program: Command): void {
  const history = program.command('history').description('manage the nightly history (docs/nightly.md)');
  history.command('import')
    .description('copy a folder history (index.json + run folders) into the history given by --history or GEOBENCH_HISTORY_URL (e.g. a postgresql:// URL); runs already there are skipped')
    .argument('<folder>', 'the folder history to import')
    .option('--history <dir|url>', 'the target history (default $GEOBENCH_HISTORY_URL)')
    .action(async (folder: string, opts: { history?: string }) => {
      const spec = historySpec(opts.history, DEFAULT_HISTORY_DIR);
      if (!isHistoryUrl(spec) && path.resolve(spec) === path.resolve(folder)) throw new GeobenchError('the folder to import is the target history itself', { exitCode: 2 });
      const target = await openHistoryStore(spec);
      try {
        const { imported, skipped } = await importFolderHistory(path.resolve(folder), target, say);
        console.log(`imported ${imported} entry run(s) from ${folder} into ${target.display}${skipped ? `; ${skipped} already there, skipped` : ''}`);
      } finally {
        await target.close();
      }
    });
}
