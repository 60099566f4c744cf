/**
 * Durable, memoised steps. `runStep` returns the stored result of a step that already succeeded —
 * validated against the step's schema, so a result of an older shape fails loudly instead of
 * being cast — and a resumed run replays it without repeating its side effect; otherwise it runs
 * the step's body, stores its result, and records a failure (or a wait) with its message. Side
 * effects inside steps carry idempotency keys derived from the run id (pipeline/run-keys.ts), so
 * even a crash between the effect and the record does not repeat it.
 */
import type { z } from 'zod';
import { RefitError, AwaitingApprovalError, WaitError } from '../core/errors.js';
import { endStep, getStep, startStep, succeedStep } from '../stores/steps.js';
import type { Store } from '../stores/store.js';

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

/** A stored step result this version of refit cannot read. */
export class StoredResultError extends RefitError {
  constructor(runId: string, stepId: string, problem: string) {
    super(
      'STORED_RESULT',
      `the stored result of step ${stepId} of run ${runId} does not have the shape this version of refit reads ` +
        `(${problem}); it was written by another version: cancel the run (refit cancel ${runId}) and let a new one start`,
    );
  }
}

export interface StepRecord<T> {
  result: T;
  /** true when the result was read back from the store (the step had run before). */
  replayed: boolean;
}

export interface StepIdentity {
  runId: string;
  stepId: string;
  /** Its place in the pipeline table (the timeline's order). */
  position: number;
}

export async function runStep<T>(
  store: Store,
  { runId, stepId, position }: StepIdentity,
  schema: z.ZodType<T>,
  nowMs: () => number,
  fn: () => Promise<T>,
): Promise<StepRecord<T>> {
  const row = await getStep(store, runId, stepId);
  if (row?.state === 'succeeded') {
    const parsed = schema.safeParse(row.result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw new StoredResultError(runId, stepId, `${where}${issue?.message ?? 'invalid'}`);
    }
    return { result: parsed.data, replayed: true };
  }
  await startStep(store, runId, stepId, position, nowMs());
  try {
    failpoint(`before:${stepId}`);
    // The result is held to its schema now, so what is stored is what a replay will read.
    const result = schema.parse(await fn());
    failpoint(`after:${stepId}`);
    await succeedStep(store, runId, stepId, result, nowMs());
    failpoint(`recorded:${stepId}`);
    return { result, replayed: false };
  } catch (err) {
    const waiting = err instanceof WaitError || err instanceof AwaitingApprovalError;
    await endStep(store, runId, stepId, waiting ? 'waiting' : 'failed', (err as Error).message, nowMs());
    throw err;
  }
}
