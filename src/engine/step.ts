/**
 * Durable, memoised steps. `runStep(db, runId, stepId, fn)` returns the stored result of a step
 * that already succeeded (a resumed run replays it and repeats no side effect); otherwise it runs
 * `fn`, stores its result, and records failures with their error. Side effects inside steps carry
 * idempotency keys derived from the run id, so even a crash between the effect and the record
 * does not repeat it.
 */
import type { Kysely } from 'kysely';
import { RefitError } from '../core/errors.js';
import type { Database } from '../stores/schema.js';

/** Thrown by a step that must wait (external preparation): the run parks until `nextCheckMs`. */
export class WaitError extends RefitError {
  constructor(
    readonly nextCheckMs: number,
    message: string,
  ) {
    super('CONFLICT', message);
  }
}

/** A step failure that retrying cannot fix (validation failed, gate rejected, bad config). */
export class NonRetriableError extends RefitError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/**
 * Named crash points for fault tests (REFIT_FAILPOINTS=after:train,before:deploy): the process
 * kills itself with SIGKILL there, as a power cut would. `before:<step>` fires once the step is
 * marked running, `after:<step>` when its work is done but not yet recorded, `recorded:<step>`
 * right after the record.
 */
export function failpoint(name: string): void {
  const points = process.env.REFIT_FAILPOINTS;
  if (points && points.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}

/** Can running the step again help? Not for validation, gate, usage or configuration errors. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof NonRetriableError || err instanceof WaitError) return false;
  if (err instanceof RefitError) return !['USAGE', 'CONFIG_INVALID', 'INPUT_INVALID', 'NOT_FOUND'].includes(err.code);
  return true;
}

export async function runStep<T>(
  db: Kysely<Database>,
  runId: string,
  stepId: string,
  nowMs: () => number,
  fn: () => Promise<T>,
): Promise<T> {
  const row = await db
    .selectFrom('steps')
    .selectAll()
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  if (row?.state === 'succeeded') return JSON.parse(row.result ?? 'null') as T;
  const started = nowMs();
  await db
    .insertInto('steps')
    .values({
      run_id: runId,
      step_id: stepId,
      state: 'running',
      attempts: 1,
      started_ms: started,
      finished_ms: null,
      result: null,
      error: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['run_id', 'step_id'])
        .doUpdateSet((eb) => ({
          state: 'running',
          attempts: eb('steps.attempts', '+', 1),
          started_ms: started,
          error: null,
        })),
    )
    .execute();
  try {
    failpoint(`before:${stepId}`);
    const result = await fn();
    failpoint(`after:${stepId}`);
    await db
      .updateTable('steps')
      .set({ state: 'succeeded', finished_ms: nowMs(), result: JSON.stringify(result ?? null) })
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .execute();
    failpoint(`recorded:${stepId}`);
    return result;
  } catch (err) {
    const waiting = err instanceof WaitError;
    await db
      .updateTable('steps')
      .set({ state: waiting ? 'waiting' : 'failed', finished_ms: nowMs(), error: (err as Error).message })
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .execute();
    throw err;
  }
}
