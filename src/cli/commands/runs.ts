/**
 * `refit runs [--model M]` and `refit runs show RUN`: runs (the read model HTTP serves too) with
 * their step timeline.
 */
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { getRun, listRuns } from '../../stores/runs.js';
import type { CliContext } from '../context.js';

function limitArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit expects a positive whole number, got "${v}"`);
  return n;
}

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program
    .command('runs')
    .description('runs, newest first; `runs show RUN` for one with its steps')
    .option('--model <model>', 'only this model line')
    .option('--limit <n>', 'how many', limitArg, 20)
    .action(async (opts: { model?: string; limit: number }) => {
      const list = await ctx.withApp((app) => listRuns(app.store, { model: opts.model, limit: opts.limit }));
      ctx.reporter().report({ kind: 'runs', runs: list });
    });
  runs
    .command('show')
    .argument('<run>')
    .description('one run: decision reason, step timeline with durations and errors, outcome')
    .action(async (id: string) => {
      const run = await ctx.withApp((app) => getRun(app.store, id, { steps: true }));
      if (!run) throw new NotFoundError(`no run ${id}: see \`refit runs\``);
      ctx.reporter().report({ kind: 'runs', runs: [run], detail: true });
    });
}
