/**
 * `refit approve RUN [--reason TEXT]` and `refit reject RUN --reason TEXT`: a person's verdict on
 * a run awaiting approval (`deploy.approval: required`), recorded with who and when; the run goes
 * on at once — promoted and verified after an approval, ended after a rejection.
 */
import type { Command } from 'commander';
import { currentActor } from '../../app.js';
import { RefitError } from '../../core/errors.js';
import { advanceRun } from '../../pipeline/advance-run.js';
import { judgeRun } from '../../pipeline/control.js';
import { workerId } from '../../pipeline/tick.js';
import type { Verdict } from '../../stores/approvals.js';
import type { CliContext } from '../context.js';

export function registerApproval(program: Command, ctx: CliContext): void {
  program
    .command('approve')
    .description('approve the promotion of a run awaiting approval; the run goes on (deploy, verify)')
    .argument('<run>')
    .option('--reason <text>', 'why (recorded)', '')
    .action((run: string, opts: { reason: string }) => verdictCommand(ctx, run, 'approved', opts.reason));
  program
    .command('reject')
    .description('reject a run awaiting approval; its version stays registered and is never promoted')
    .argument('<run>')
    .requiredOption('--reason <text>', 'why (recorded and told)')
    .action((run: string, opts: { reason: string }) => verdictCommand(ctx, run, 'rejected', opts.reason));
}

async function verdictCommand(ctx: CliContext, runId: string, verdict: Verdict, reason: string): Promise<void> {
  const actor = currentActor(ctx.io.env);
  const { approval, result } = await ctx.withApp(async (app) => {
    const approval = await judgeRun(app, runId, verdict, actor, reason);
    return { approval, result: await advanceRun(app, runId, workerId()) };
  });
  const why = approval.reason ? `: ${approval.reason}` : '';
  const text = `run ${runId} ${verdict} by ${actor}${why}\nrun ${runId}: ${result.state} — ${result.outcome}`;
  ctx.reporter().report({ kind: 'message', text, data: { approval, run: result } });
  // Like `refit run`: a run that failed after the verdict (a rejection, a failed verification) exits 1.
  if (result.state === 'failed') throw new RefitError(result.code ?? 'INTERNAL', result.outcome);
}
