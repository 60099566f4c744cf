/** `refit plan` (dry run), `refit run` (one tick: decide for real, queue and advance runs) and `refit cancel`. */
import type { Command } from 'commander';
import { currentActor } from '../../app.js';
import { parseDuration } from '../../core/duration.js';
import { RefitError, UsageError } from '../../core/errors.js';
import { cancelRun, retryRun } from '../../pipeline/control.js';
import { runTick, workerId } from '../../pipeline/tick.js';
import type { CliContext } from '../context.js';
import { watchTrainingProgress } from '../training-progress.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerDecide(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('explain what refit would do for each model line and why; changes nothing')
    .argument('[models...]', 'model lines (default: all)')
    .option('--force <model>', 'show the decision with a manual trigger for MODEL (repeatable)', collect, [])
    .action(async (models: string[], opts: { force: string[] }) => {
      await tickCommand(ctx, 'plan', models, opts.force, true, null);
    });

  program
    .command('run')
    .description('one tick: decide for each model line, spend budget and queue runs')
    .argument('[models...]', 'model lines (default: all)')
    .option(
      '--force <model>',
      'manual trigger: retrain MODEL regardless of triggers and budget (repeatable)',
      collect,
      [],
    )
    .option('--wait <duration>', 'keep advancing the runs until they finish (for CI), e.g. 30m')
    .option('--no-advance', 'only decide and queue; do not advance runs')
    .option('--retry <run>', 'requeue a failed run: it resumes from the step that failed')
    .action(async (models: string[], opts: { force: string[]; wait?: string; advance: boolean; retry?: string }) => {
      const waitMs = opts.wait === undefined ? 0 : parseDuration(opts.wait);
      if (waitMs === null) throw new UsageError(`--wait expects a duration such as 30m, got "${opts.wait}"`);
      await tickCommand(ctx, 'run', models, opts.force, false, opts.advance ? waitMs : null, opts.retry);
    });
}

export function registerCancel(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .description('cancel a queued, waiting or running run (a running step finishes; the run stops at the next step)')
    .argument('<run>')
    .option('--reason <text>', 'why (recorded)', 'cancelled by hand')
    .action(async (run: string, opts: { reason: string }) => {
      const r = await ctx.withApp((app) => cancelRun(app, run, currentActor(ctx.io.env), opts.reason));
      ctx.reporter().report({ kind: 'message', text: `run ${r.runId} cancelled (was ${r.from})`, data: r });
    });
}

/** `advanceMs`: null = do not advance runs; 0 = one pass; > 0 = until they finish or that long. */
async function tickCommand(
  ctx: CliContext,
  command: 'plan' | 'run',
  models: string[],
  force: string[],
  plan: boolean,
  advanceMs: number | null,
  retry?: string,
): Promise<void> {
  const actor = currentActor(ctx.io.env);
  const tick = await ctx.withApp(async (app) => {
    const dryRun = plan || ctx.dryRun() || app.config.dryRun;
    if (retry && dryRun) throw new UsageError('--retry has no dry run');
    // The requeued run is advanced with the others and reported with them.
    if (retry) await retryRun(app, retry, actor);
    const advance = dryRun ? null : advanceMs;
    const tty = (ctx.io.stderr as NodeJS.WriteStream).isTTY === true && !ctx.io.env.CI;
    const watch = tty && advance ? watchTrainingProgress(app, ctx.io.stderr, models) : null;
    try {
      return await runTick(app, { models, force, dryRun, actor, owner: workerId(), advanceMs: advance });
    } finally {
      await watch?.stop();
    }
  });
  const { decisions, runs, monitored } = tick;
  ctx
    .reporter()
    .report({ kind: 'decide', command: decisions.dryRun ? 'plan' : command, result: decisions, runs, monitored });
  const failed = decisions.outcomes.filter((o) => o.error);
  if (failed.length > 0) {
    const names = failed.map((o) => o.model).join(', ');
    throw new RefitError('UPSTREAM_UNAVAILABLE', `${failed.length} model line(s) could not be decided: ${names}`);
  }
  const failedRuns = runs.filter((r) => r.state === 'failed');
  if (failedRuns.length > 0) {
    const what = failedRuns.map((r) => `${r.model} (${r.outcome})`).join('; ');
    throw new RefitError(failedRuns[0]!.code ?? 'INTERNAL', `${failedRuns.length} run(s) failed: ${what}`);
  }
}
