/**
 * The steps of runs: one row per (run, step id) holding its state, attempts, timing, stored
 * result (JSON) and error — what makes a step memoised (a finished step's result is replayed, its
 * side effect not repeated) and what the step timeline shows.
 */
import { sql } from 'kysely';
import type { Store } from './store.js';

export type StepState = 'running' | 'waiting' | 'succeeded' | 'failed';

/** One step of a run as every interface shows it. */
export interface StepView {
  step: string;
  state: StepState;
  attempts: number;
  startedMs: number | null;
  finishedMs: number | null;
  error: string | null;
}

export interface StoredStep extends StepView {
  /** The stored result, parsed from JSON; null unless succeeded. */
  result: unknown;
}

const num = (v: number | null) => (v === null ? null : Number(v));

export async function getStep(store: Store, runId: string, stepId: string): Promise<StoredStep | null> {
  const r = await store.db
    .selectFrom('steps')
    .selectAll()
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  if (!r) return null;
  return {
    step: r.step_id,
    state: r.state as StepState,
    attempts: r.attempts,
    startedMs: num(r.started_ms),
    finishedMs: num(r.finished_ms),
    error: r.error,
    result: r.result === null ? null : JSON.parse(r.result),
  };
}

export async function listSteps(store: Store, runId: string): Promise<StepView[]> {
  const rows = await store.db
    .selectFrom('steps')
    .select(['step_id', 'state', 'attempts', 'started_ms', 'finished_ms', 'error'])
    .where('run_id', '=', runId)
    .orderBy('position')
    .orderBy('started_ms')
    .execute();
  return rows.map((r) => ({
    step: r.step_id,
    state: r.state as StepState,
    attempts: r.attempts,
    startedMs: num(r.started_ms),
    finishedMs: num(r.finished_ms),
    error: r.error,
  }));
}

/** A step starts (again): running, one more attempt. */
export async function startStep(store: Store, runId: string, stepId: string, position: number, nowMs: number) {
  await store.db
    .insertInto('steps')
    .values({
      run_id: runId,
      step_id: stepId,
      position,
      state: 'running',
      attempts: 1,
      started_ms: nowMs,
      finished_ms: null,
      result: null,
      error: null,
    })
    .onConflict((oc) =>
      oc.columns(['run_id', 'step_id']).doUpdateSet((eb) => ({
        state: 'running',
        attempts: eb('steps.attempts', '+', 1),
        started_ms: nowMs,
        error: null,
      })),
    )
    .execute();
}

export async function succeedStep(store: Store, runId: string, stepId: string, result: unknown, nowMs: number) {
  await store.db
    .updateTable('steps')
    .set({ state: 'succeeded', finished_ms: nowMs, result: JSON.stringify(result ?? null) })
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .execute();
}

/** A step ends without a result: it failed, or it waits for something outside. */
export async function endStep(
  store: Store,
  runId: string,
  stepId: string,
  state: 'failed' | 'waiting',
  error: string,
  nowMs: number,
): Promise<void> {
  await store.db
    .updateTable('steps')
    .set({ state, finished_ms: nowMs, error })
    .where('run_id', '=', runId)
    .where('step_id', '=', stepId)
    .execute();
}

/** The step of a run that failed last, with its attempts (what a retry policy reads). */
export async function lastFailedStep(store: Store, runId: string): Promise<{ step: string; attempts: number } | null> {
  const r = await store.db
    .selectFrom('steps')
    .select(['step_id', 'attempts'])
    .where('run_id', '=', runId)
    .where('state', '=', 'failed')
    .orderBy('finished_ms', 'desc')
    .executeTakeFirst();
  return r ? { step: r.step_id, attempts: r.attempts } : null;
}

/** The first step of a run that has not succeeded (where a retried run resumes). */
export async function firstUnfinishedStep(store: Store, runId: string): Promise<string | null> {
  const r = await store.db
    .selectFrom('steps')
    .select('step_id')
    .where('run_id', '=', runId)
    .where('state', '!=', 'succeeded')
    .executeTakeFirst();
  return r?.step_id ?? null;
}

/** Finished steps per step id and state: how many, and their summed duration (for /metrics). */
export async function stepDurations(store: Store): Promise<{ step: string; state: string; n: number; ms: number }[]> {
  const rows = await store.db
    .selectFrom('steps')
    .select([
      'step_id',
      'state',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`SUM(finished_ms - started_ms)`.as('ms'),
    ])
    .where('finished_ms', 'is not', null)
    .groupBy(['step_id', 'state'])
    .execute();
  return rows.map((r) => ({ step: r.step_id, state: r.state, n: Number(r.n), ms: Number(r.ms) }));
}
