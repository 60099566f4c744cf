/**
 * Run control: cancel a run (queued, waiting or running — a running step finishes, the run stops
 * at its next step boundary) and retry a failed run (it resumes from the step that failed; the
 * finished steps are replayed from the store).
 */
import { cancelRemoteTraining } from '../training/run-training.js';
import type { AppContext } from '../app-context.js';
import { NotFoundError, RefitError } from '../core/errors.js';

export async function cancelRun(
  app: AppContext,
  runId: string,
  actor: string,
  reason: string,
): Promise<{ runId: string; from: string }> {
  const { db } = app.store;
  const run = await db.selectFrom('runs').select(['state', 'model']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw new NotFoundError(`no run ${runId}: see \`refit runs\``);
  const now = app.clock.now();
  const r = await db
    .updateTable('runs')
    .set({
      state: 'cancelled',
      outcome: `cancelled by ${actor}: ${reason}`,
      finished_ms: now,
      updated_ms: now,
      next_check_ms: null,
    })
    .where('id', '=', runId)
    .where('state', 'in', ['queued', 'running', 'waiting'])
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0)
    throw new RefitError(
      'CONFLICT',
      `run ${runId} is ${run.state}: only queued, waiting or running runs can be cancelled`,
    );
  app.logger.child({ model: run.model, run: runId }).warn(`run cancelled: ${reason}`);
  // A remote training job of this run is cancelled where it runs (local ones stop themselves:
  // their worker polls the run's state).
  await cancelRemoteTraining(app, runId, reason).catch((err: Error) =>
    app.logger.child({ model: run.model, run: runId }).warn(`could not cancel the remote training job: ${err.message}`),
  );
  return { runId, from: run.state };
}

export async function retryRun(
  app: AppContext,
  runId: string,
  actor: string,
): Promise<{ runId: string; resumesAt: string | null }> {
  const { db } = app.store;
  const run = await db.selectFrom('runs').select(['state', 'model']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw new NotFoundError(`no run ${runId}: see \`refit runs\``);
  if (run.state !== 'failed')
    throw new RefitError('CONFLICT', `run ${runId} is ${run.state}: only a failed run can be retried`);
  const inFlight = await db
    .selectFrom('runs')
    .select('id')
    .where('model', '=', run.model)
    .where('state', 'in', ['queued', 'running', 'waiting'])
    .executeTakeFirst();
  if (inFlight)
    throw new RefitError(
      'CONFLICT',
      `run ${inFlight.id} is in flight for ${run.model}: retry ${runId} when it has finished`,
    );
  const failed = await db
    .selectFrom('steps')
    .select('step_id')
    .where('run_id', '=', runId)
    .where('state', '!=', 'succeeded')
    .executeTakeFirst();
  const now = app.clock.now();
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('steps').where('run_id', '=', runId).where('state', '!=', 'succeeded').execute();
    await tx
      .updateTable('runs')
      .set({
        state: 'queued',
        outcome: `retried by ${actor}`,
        error: null,
        finished_ms: null,
        updated_ms: now,
        lease_owner: null,
        lease_until_ms: null,
      })
      .where('id', '=', runId)
      .execute();
  });
  return { runId, resumesAt: failed?.step_id ?? null };
}
