/**
 * Decisions in the store. A retrain/skip/blocked decision is persisted atomically with what it
 * changes — the hysteresis streaks, the spent budget and a `queued` run for a retrain — inside the
 * caller's decision transaction, after `lockDecisions` took the global decision lock. The
 * decisions a run makes (bless, reject, promote, rollback) are recorded once per run and kind.
 */
import type { Decision } from '../core/decide.js';
import { newId } from './ids.js';
import type { Store } from './store.js';

/** A decision as every interface shows it. */
export interface DecisionView {
  id: string;
  model: string;
  atMs: number;
  action: string;
  actor: string;
  reason: string;
  runId: string | null;
  /** The numbers behind it (signals, rules, guards, budget; gate checks; alias moves). */
  details: Record<string, unknown>;
}

export interface RecordedDecision {
  decisionId: string;
  runId: string | null;
}

/**
 * Serialises decision transactions across processes: the first statement is a write on one row,
 * which takes SQLite's write lock or PostgreSQL's row lock before anything is read.
 */
export async function lockDecisions(tx: Store): Promise<void> {
  await tx.db
    .updateTable('locks')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('name', '=', 'decide')
    .execute();
}

export async function recordDecision(
  tx: Store,
  decision: Decision,
  actor: string,
  nowMs: number,
  details: unknown,
): Promise<RecordedDecision> {
  const model = decision.model;
  const streaks = Object.entries(decision.nextStreaks).sort(([a], [b]) => (a < b ? -1 : 1));
  if (streaks.length) {
    await tx.db
      .insertInto('trigger_state')
      .values(streaks.map(([rule_id, streak]) => ({ model, rule_id, streak, updated_ms: nowMs })))
      .onConflict((oc) =>
        oc
          .columns(['model', 'rule_id'])
          .doUpdateSet((eb) => ({ streak: eb.ref('excluded.streak'), updated_ms: eb.ref('excluded.updated_ms') })),
      )
      .execute();
  }
  const spent = decision.action === 'retrain' && !decision.forced;
  if (spent) {
    const next = decision.budget.next;
    await tx.db
      .insertInto('budget_state')
      .values({ model, tokens: next.tokens, last_ms: next.lastMs, rejections: next.rejections, updated_ms: nowMs })
      .onConflict((oc) =>
        oc.column('model').doUpdateSet({ tokens: next.tokens, last_ms: next.lastMs, updated_ms: nowMs }),
      )
      .execute();
  }
  const decisionId = newId('dec', nowMs);
  const runId = decision.action === 'retrain' ? newId('run', nowMs) : null;
  await tx.db
    .insertInto('decisions')
    .values({
      id: decisionId,
      model,
      at_ms: nowMs,
      action: decision.action,
      actor,
      reason: decision.reason,
      details: JSON.stringify(details),
      run_id: runId,
    })
    .execute();
  if (runId) {
    await tx.db
      .insertInto('runs')
      .values({
        id: runId,
        model,
        state: 'queued',
        reason: decision.reason,
        decision_id: decisionId,
        forced: decision.forced ? 1 : 0,
        actor,
        created_ms: nowMs,
        updated_ms: nowMs,
        started_ms: null,
        finished_ms: null,
        error: null,
        lease_owner: null,
        lease_until_ms: null,
      })
      .execute();
  }
  return { decisionId, runId };
}

export interface RunDecision {
  /** Stable per run and kind (pipeline/run-keys.ts). */
  id: string;
  model: string;
  runId: string;
  action: 'bless' | 'reject' | 'promote' | 'rollback';
  actor: string;
  reason: string;
  details: unknown;
  atMs: number;
}

/**
 * A decision a run made; one per run and kind, so a resumed run does not record it twice.
 * Returns whether it was recorded now (false: an earlier attempt already had).
 */
export async function recordRunDecision(store: Store, d: RunDecision): Promise<boolean> {
  const r = await store.db
    .insertInto('decisions')
    .values({
      id: d.id,
      model: d.model,
      at_ms: d.atMs,
      action: d.action,
      actor: d.actor,
      reason: d.reason,
      details: JSON.stringify(d.details),
      run_id: d.runId,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** A decision of the monitor (a rollback of a degraded champion), once per id. */
export async function recordMonitorDecision(
  store: Store,
  d: { id: string; model: string; action: string; reason: string; details: unknown; atMs: number },
): Promise<void> {
  await store.db
    .insertInto('decisions')
    .values({
      id: d.id,
      model: d.model,
      at_ms: d.atMs,
      action: d.action,
      actor: 'monitor',
      reason: d.reason,
      details: JSON.stringify(d.details),
      run_id: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** The signals the decision that queued a run read (null when it has none). */
export async function queuedWith(store: Store, runId: string): Promise<Record<string, unknown> | null> {
  const row = await store.db
    .selectFrom('decisions')
    .select('details')
    .where('run_id', '=', runId)
    .where('action', '=', 'retrain')
    .executeTakeFirst();
  if (!row) return null;
  const details = JSON.parse(row.details) as { signals?: Record<string, unknown> };
  return details.signals ?? null;
}

export async function listDecisions(
  store: Store,
  filter: { model?: string; runId?: string; actions?: string[]; limit?: number } = {},
): Promise<DecisionView[]> {
  let q = store.db.selectFrom('decisions').selectAll();
  if (filter.model) q = q.where('model', '=', filter.model);
  if (filter.actions?.length) q = q.where('action', 'in', filter.actions);
  if (filter.runId) q = q.where('run_id', '=', filter.runId);
  const rows = await q
    .orderBy('at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 50)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    model: r.model,
    atMs: Number(r.at_ms),
    action: r.action,
    actor: r.actor,
    reason: r.reason,
    runId: r.run_id,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}
