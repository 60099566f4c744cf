/**
 * `refit logs RUN|JOB [--follow]`: a training job's log (builtin, command and remote executors
 * alike) by the job's id or its run's; `--follow` prints new lines until the job ends.
 */
import type { Command } from 'commander';
import { NotFoundError } from '../../core/errors.js';
import { logChunks } from '../../training/job-logs.js';
import type { CliContext } from '../context.js';

export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description("a training job's log, by run or job id; --follow prints new lines until it ends")
    .argument('<run-or-job>')
    .option('-f, --follow', 'keep printing until the job finishes')
    .action(async (ref: string, opts: { follow?: boolean }) => {
      const printed = await ctx.withApp(async (app) => {
        let any = false;
        for await (const chunk of logChunks(app, ref, opts.follow === true)) {
          ctx.io.stdout.write(chunk);
          any = true;
        }
        return any;
      });
      if (!printed) throw new NotFoundError(`${ref} has no training log yet (its run has not reached training)`);
    });
}
