/**
 * Runs in the store: the read model every interface shows (`RunView`: CLI `--json`, HTTP,
 * reports, the dashboard), leases (a worker claims a run with a conditional UPDATE — free,
 * expired or already its own — and renews it between steps), the due list of a tick, and the
 * state changes of finishing, cancelling and requeueing a run.
 */
import { sql, type Selectable } from 'kysely';
import { IN_FLIGHT_STATES, type RunState } from '../core/glossary.js';
import type { RunsTable } from './schema.js';
import { listSteps, type StepView } from './steps.js';
import { inTransaction, type Store } from './store.js';

/** A run as every interface shows it. Times are epoch milliseconds. */
export interface RunView {
  id: string;
  model: string;
  state: RunState;
  /** Why it was queued (the decision's reason). */
  reason: string;
  /** One sentence: what it ended with (or why it waits). */
  outcome: string | null;
  error: string | null;
  /** A manual trigger (`--force`, the retrain route, the dashboard). */
  forced: boolean;
  actor: string;
  decisionId: string | null;
  createdMs: number;
  updatedMs: number;
  startedMs: number | null;
  finishedMs: number | null;
  /** A waiting run is advanced again at or after this time. */
  nextCheckMs: number | null;
  /** The step timeline, when asked for. */
  steps?: StepView[];
}

const num = (v: number | null) => (v === null ? null : Number(v));

function toView(r: Selectable<RunsTable>): RunView {
  return {
    id: r.id,
    model: r.model,
    state: r.state as RunState,
    reason: r.reason,
    outcome: r.outcome,
    error: r.error,
    forced: r.forced === 1,
    actor: r.actor,
    decisionId: r.decision_id,
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
    startedMs: num(r.started_ms),
    finishedMs: num(r.finished_ms),
    nextCheckMs: num(r.next_check_ms),
  };
}

export async function getRun(store: Store, id: string, options: { steps?: boolean } = {}): Promise<RunView | null> {
  const row = await store.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const view = toView(row);
  if (options.steps) view.steps = await listSteps(store, id);
  return view;
}

export interface RunFilter {
  model?: string;
  states?: readonly RunState[];
  /** Only runs changed at or after this time (epoch ms). */
  updatedSinceMs?: number;
  /** Newest first; at most this many. Default 50. */
  limit?: number;
}

export async function listRuns(store: Store, filter: RunFilter = {}): Promise<RunView[]> {
  let q = store.db.selectFrom('runs').selectAll();
  if (filter.model) q = q.where('model', '=', filter.model);
  if (filter.states?.length) q = q.where('state', 'in', filter.states);
  if (filter.updatedSinceMs !== undefined) q = q.where('updated_ms', '>=', filter.updatedSinceMs);
  const rows = await q
    .orderBy('created_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 50)
    .execute();
  return rows.map(toView);
}

/** The state of a run (null when there is none): what cancellation watches. */
export async function runState(store: Store, id: string): Promise<RunState | null> {
  const row = await store.db.selectFrom('runs').select('state').where('id', '=', id).executeTakeFirst();
  return (row?.state as RunState | undefined) ?? null;
}

/** Ids of the runs in flight (queued, running, waiting), optionally of some model lines only. */
export async function runsInFlight(store: Store, models?: string[]): Promise<string[]> {
  let q = store.db.selectFrom('runs').select('id').where('state', 'in', IN_FLIGHT_STATES);
  if (models?.length) q = q.where('model', 'in', models);
  return (await q.orderBy('created_ms').execute()).map((r) => r.id);
}

/** The earliest next check among the given runs that wait; null when none waits. */
export async function earliestCheck(store: Store, ids: string[]): Promise<number | null> {
  if (ids.length === 0) return null;
  const row = await store.db
    .selectFrom('runs')
    .select('next_check_ms')
    .where('id', 'in', ids)
    .where('state', '=', 'waiting')
    .orderBy('next_check_ms')
    .executeTakeFirst();
  return row?.next_check_ms ? Number(row.next_check_ms) : null;
}

/** Runs a tick should advance: queued ones, waiting ones whose check is due, running ones whose lease expired. */
export async function dueRuns(
  store: Store,
  nowMs: number,
  models?: string[],
): Promise<{ id: string; model: string }[]> {
  let q = store.db
    .selectFrom('runs')
    .select(['id', 'model'])
    .where((eb) =>
      eb.or([
        eb('state', '=', 'queued'),
        eb.and([
          eb('state', '=', 'waiting'),
          eb.or([eb('next_check_ms', 'is', null), eb('next_check_ms', '<=', nowMs)]),
        ]),
        eb.and([
          eb('state', '=', 'running'),
          eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', nowMs)]),
        ]),
      ]),
    );
  if (models?.length) q = q.where('model', 'in', models);
  return q.orderBy('created_ms').execute();
}

/** Claims a run for `owner` until `nowMs + leaseMs`: true when this worker holds it now. */
export async function claimRun(
  store: Store,
  id: string,
  owner: string,
  nowMs: number,
  leaseMs: number,
): Promise<boolean> {
  const r = await store.db
    .updateTable('runs')
    .set({
      lease_owner: owner,
      lease_until_ms: nowMs + leaseMs,
      updated_ms: nowMs,
      started_ms: sql`COALESCE(started_ms, ${nowMs})` as never,
    })
    .where('id', '=', id)
    .where('state', 'in', IN_FLIGHT_STATES)
    .where((eb) =>
      eb.or([eb('lease_owner', 'is', null), eb('lease_until_ms', '<', nowMs), eb('lease_owner', '=', owner)]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The heartbeat between steps; false when the lease was lost (taken over or released). */
export async function renewLease(
  store: Store,
  id: string,
  owner: string,
  nowMs: number,
  leaseMs: number,
): Promise<boolean> {
  const r = await store.db
    .updateTable('runs')
    .set({ lease_until_ms: nowMs + leaseMs })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A claimed run starts (or resumes) running, unless it was cancelled meanwhile. */
export async function markRunning(store: Store, id: string, nowMs: number): Promise<void> {
  await store.db
    .updateTable('runs')
    .set({ state: 'running', updated_ms: nowMs })
    .where('id', '=', id)
    .where('state', '!=', 'cancelled')
    .execute();
}

export interface RunEnd {
  state: 'succeeded' | 'failed' | 'waiting' | 'awaiting_approval';
  outcome: string;
  nextCheckMs?: number | null;
}

/** Ends a pass over a run: its state and outcome, the lease released. Never overwrites a cancellation. */
export async function settleRun(store: Store, id: string, end: RunEnd, nowMs: number): Promise<void> {
  await store.db
    .updateTable('runs')
    .set({
      state: end.state,
      outcome: end.outcome,
      error: end.state === 'failed' ? end.outcome : null,
      updated_ms: nowMs,
      finished_ms: end.state === 'waiting' || end.state === 'awaiting_approval' ? null : nowMs,
      next_check_ms: end.nextCheckMs ?? null,
      lease_owner: null,
      lease_until_ms: null,
    })
    .where('id', '=', id)
    .where('state', '!=', 'cancelled')
    .execute();
}

export async function releaseLease(store: Store, id: string): Promise<void> {
  await store.db.updateTable('runs').set({ lease_owner: null, lease_until_ms: null }).where('id', '=', id).execute();
}

/** Cancels a run in flight; false when it is not in flight. */
export async function cancelRunRow(store: Store, id: string, outcome: string, nowMs: number): Promise<boolean> {
  const r = await store.db
    .updateTable('runs')
    .set({ state: 'cancelled', outcome, finished_ms: nowMs, updated_ms: nowMs, next_check_ms: null })
    .where('id', '=', id)
    .where('state', 'in', IN_FLIGHT_STATES)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Requeues a failed run: its unfinished steps are forgotten, the finished ones replay. */
export async function requeueRun(store: Store, id: string, outcome: string, nowMs: number): Promise<void> {
  await inTransaction(store, async (tx) => {
    await tx.db.deleteFrom('steps').where('run_id', '=', id).where('state', '!=', 'succeeded').execute();
    await tx.db
      .updateTable('runs')
      .set({
        state: 'queued',
        outcome,
        error: null,
        finished_ms: null,
        updated_ms: nowMs,
        lease_owner: null,
        lease_until_ms: null,
      })
      .where('id', '=', id)
      .execute();
  });
}

/** Runs per model line and state (for /metrics). */
export async function countRuns(store: Store): Promise<{ model: string; state: string; n: number }[]> {
  const rows = await store.db
    .selectFrom('runs')
    .select(['model', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['model', 'state'])
    .execute();
  return rows.map((r) => ({ model: r.model, state: r.state, n: Number(r.n) }));
}
