/**
 * Persisting a real decision atomically: the hysteresis streaks, the spent budget, the decision
 * with its reasons, and a `queued` run for a retrain. Runs inside the caller's decision
 * transaction, after `lockDecisions` took the global decision lock.
 */
import type { Transaction } from 'kysely';
import type { Decision } from '../core/decide.js';
import type { Database } from './schema.js';
import { newId } from './ids.js';

export interface RecordedDecision {
  decisionId: string;
  runId: string | null;
}

/**
 * Serialises decision transactions across processes: the first statement is a write on one row,
 * which takes SQLite's write lock or PostgreSQL's row lock before anything is read.
 */
export async function lockDecisions(tx: Transaction<Database>): Promise<void> {
  await tx
    .updateTable('locks')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('name', '=', 'decide')
    .execute();
}

export async function recordDecision(
  tx: Transaction<Database>,
  decision: Decision,
  actor: string,
  nowMs: number,
  details: unknown,
): Promise<RecordedDecision> {
  const model = decision.model;
  const streaks = Object.entries(decision.nextStreaks).sort(([a], [b]) => (a < b ? -1 : 1));
  if (streaks.length) {
    await tx
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
    await tx
      .insertInto('budget_state')
      .values({ model, tokens: next.tokens, last_ms: next.lastMs, rejections: next.rejections, updated_ms: nowMs })
      .onConflict((oc) =>
        oc.column('model').doUpdateSet({ tokens: next.tokens, last_ms: next.lastMs, updated_ms: nowMs }),
      )
      .execute();
  }
  const decisionId = newId('dec', nowMs);
  const runId = decision.action === 'retrain' ? newId('run', nowMs) : null;
  await tx
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
    await tx
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
