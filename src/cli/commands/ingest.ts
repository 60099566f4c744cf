/** `refit ingest FILE...` — exit 1 when any row was rejected. */
import type { Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { ingestFiles } from '../../ingest/ingest.js';
import type { Format } from '../../ingest/sources.js';
import type { CliContext } from '../context.js';

export function registerIngest(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description('ingest predictions, feedback and examples from NDJSON or CSV files (- for stdin)')
    .argument('<files...>', 'NDJSON (.ndjson/.jsonl) or CSV (.csv) files, or directories of them; - reads stdin')
    .option('--format <format>', 'ndjson or csv (default: by extension; stdin is NDJSON)')
    .option('--max-errors <n>', 'stop after N rejected rows', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-errors expects a positive integer, got "${v}"`);
      return n;
    })
    .option('--batch-size <n>', 'rows per transaction', (v) => Number(v), 2000)
    .action(async (files: string[], opts: { format?: Format; maxErrors?: number; batchSize: number }) => {
      if (opts.format && opts.format !== 'ndjson' && opts.format !== 'csv')
        throw new UsageError(`--format must be ndjson or csv, got "${opts.format}"`);
      const summary = await ctx.withApp((app) =>
        ingestFiles(app, files, {
          format: opts.format,
          maxErrors: opts.maxErrors,
          batchSize: opts.batchSize,
          dryRun: ctx.dryRun(),
          cwd: ctx.io.cwd,
          stdin: ctx.io.stdin as never,
        }),
      );
      ctx.reporter().report({ kind: 'ingest', summary });
      if (summary.rejected > 0) throw new InputError(`${summary.rejected} row(s) rejected`);
    });
}
