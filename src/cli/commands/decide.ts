/** `refit plan` (dry run) and `refit run` (decide for real and queue runs). */
import type { Command } from 'commander';
import { currentActor } from '../../app.js';
import { RefitError, UsageError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { advanceDueRuns, housekeeping, waitForRuns, workerId } from '../../pipeline/tick.js';
import { cancelRun, retryRun } from '../../pipeline/control.js';
import { decideAll } from '../../decide/decide-all.js';
import type { CliContext } from '../context.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerDecide(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('explain what refit would do for each model line and why; changes nothing')
    .argument('[models...]', 'model lines (default: all)')
    .option('--force <model>', 'show the decision with a manual trigger for MODEL (repeatable)', collect, [])
    .action(async (models: string[], opts: { force: string[] }) => {
      await decideCommand(ctx, 'plan', models, opts.force, true);
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
      if (opts.retry) {
        if (ctx.dryRun()) throw new UsageError('--retry has no dry run');
        // The requeued run is advanced below with the others and reported with them.
        await ctx.withApp((app) => retryRun(app, opts.retry!, currentActor(ctx.io.env)));
      }
      const dryRun = ctx.dryRun();
      const waitMs = opts.wait === undefined ? null : parseDuration(opts.wait);
      if (opts.wait !== undefined && waitMs === null)
        throw new UsageError(`--wait expects a duration such as 30m, got "${opts.wait}"`);
      await decideCommand(ctx, 'run', models, opts.force, dryRun, dryRun || !opts.advance ? null : (waitMs ?? 0));
    });
}

/** `advanceWaitMs`: null = do not advance runs; 0 = one pass; > 0 = until they finish or that long. */
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

async function decideCommand(
  ctx: CliContext,
  command: 'plan' | 'run',
  models: string[],
  force: string[],
  dryRun: boolean,
  advanceWaitMs: number | null = null,
): Promise<void> {
  const { result, runs } = await ctx.withApp(async (app) => {
    const result = await decideAll(app, { models, force, dryRun, actor: currentActor(ctx.io.env) });
    if (advanceWaitMs === null) return { result, runs: [] };
    const owner = workerId();
    const advanced = await advanceDueRuns(app, owner, models.length ? models : undefined);
    let runs = advanced;
    if (advanceWaitMs > 0) {
      // The runs this command started or advanced, and any still in flight for these lines: a
      // second \`refit run --wait\` resumes waiting for what an earlier one left parked.
      let inFlight = app.store.db
        .selectFrom('runs')
        .select('id')
        .where('state', 'in', ['queued', 'running', 'waiting']);
      if (models.length) inFlight = inFlight.where('model', 'in', models);
      const open = (await inFlight.execute()).map((r) => r.id);
      const ids = [
        ...new Set([
          ...advanced.map((r) => r.runId),
          ...result.outcomes.map((o) => o.runId).filter((x): x is string => !!x),
          ...open,
        ]),
      ];
      runs = await waitForRuns(app, owner, ids, app.clock.now() + advanceWaitMs);
    }
    await housekeeping(app);
    return { result, runs };
  });
  ctx.reporter().report({ kind: 'decide', command: dryRun ? 'plan' : command, result, runs });
  const failed = result.outcomes.filter((o) => o.error);
  if (failed.length > 0)
    throw new RefitError(
      'EXTERNAL_SIGNAL',
      `${failed.length} model line(s) could not be decided: ${failed.map((o) => o.model).join(', ')}`,
    );
  const failedRuns = runs.filter((r) => r.state === 'failed');
  if (failedRuns.length > 0)
    throw new RefitError(
      'CONFLICT',
      `${failedRuns.length} run(s) failed: ${failedRuns.map((r) => `${r.model} (${r.outcome})`).join('; ')}`,
    );
}
