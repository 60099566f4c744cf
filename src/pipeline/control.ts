/**
 * Run control: cancel a run (queued, waiting or running — a running step is stopped where it can
 * be, the run stops at its next step boundary, remote training is cancelled where it runs) and
 * retry a failed run (it resumes from the step that failed; the finished steps are replayed);
 * approve or reject a run awaiting approval.
 */
import type { AppContext } from '../app-context.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { recordApproval, type Verdict } from '../stores/approvals.js';
import { runsInFlight } from '../stores/runs.js';
import { cancelRunRow, getRun, requeueRun } from '../stores/runs.js';
import { firstUnfinishedStep } from '../stores/steps.js';
import { cancelRemoteTraining } from '../training/remote-training.js';
import { runKeys } from './run-keys.js';

export async function cancelRun(app: AppContext, runId: string, actor: string, reason: string) {
  const run = await getRun(app.store, runId);
  if (!run) throw new NotFoundError(`no run ${runId}: see \`refit runs\``);
  const cancelled = await cancelRunRow(app.store, runId, `cancelled by ${actor}: ${reason}`, app.clock.now());
  if (!cancelled) {
    throw new ConflictError(
      `run ${runId} is ${run.state}: only queued, waiting, awaiting-approval or running runs can be cancelled`,
    );
  }
  const log = app.logger.child({ model: run.model, run: runId });
  log.warn(`run cancelled: ${reason}`);
  // A remote training job of this run is cancelled where it runs (local ones stop themselves:
  // their worker polls the run's state).
  await cancelRemoteTraining(app, runKeys(runId).training, reason).catch((err: Error) =>
    log.warn(`could not cancel the remote training job: ${err.message}`),
  );
  return { runId, from: run.state };
}

export async function retryRun(app: AppContext, runId: string, actor: string) {
  const run = await getRun(app.store, runId);
  if (!run) throw new NotFoundError(`no run ${runId}: see \`refit runs\``);
  if (run.state !== 'failed') throw new ConflictError(`run ${runId} is ${run.state}: only a failed run can be retried`);
  const inFlight = await runsInFlight(app.store, [run.model]);
  if (inFlight.length) {
    throw new ConflictError(`run ${inFlight[0]} is in flight for ${run.model}: retry ${runId} when it has finished`);
  }
  const resumesAt = await firstUnfinishedStep(app.store, runId);
  await requeueRun(app.store, runId, `retried by ${actor}`, app.clock.now());
  return { runId, resumesAt };
}

/**
 * A person's verdict on a run awaiting approval: recorded with who, when and why, and the run
 * made due at once (the caller may advance it now; the next tick does otherwise).
 */
export async function judgeRun(app: AppContext, runId: string, verdict: Verdict, actor: string, reason: string) {
  if (verdict === 'rejected' && !reason.trim()) {
    throw new UsageError('a rejection needs a reason: `refit reject RUN --reason TEXT` (it is recorded and told)');
  }
  const approval = await recordApproval(app.store, { runId, verdict, actor, reason, atMs: app.clock.now() });
  const log = app.logger.child({ model: approval.model, run: runId });
  log.info(`run ${verdict} by ${actor}${reason ? `: ${reason}` : ''}`);
  return approval;
}
