/**
 * Approvals: a person's verdict on a run parked as `awaiting_approval` (`deploy.approval:
 * required`). Recording one and making the run due again happen in one transaction, so a verdict
 * is given once: a second approval (or a rejection after an approval) is a conflict.
 */
import { ConflictError, NotFoundError } from '../core/errors.js';
import { inTransaction, type Store } from './store.js';

export type Verdict = 'approved' | 'rejected';

export interface Approval {
  runId: string;
  model: string;
  verdict: Verdict;
  actor: string;
  reason: string;
  atMs: number;
}

export async function getApproval(store: Store, runId: string): Promise<Approval | null> {
  const r = await store.db.selectFrom('approvals').selectAll().where('run_id', '=', runId).executeTakeFirst();
  if (!r) return null;
  return {
    runId: r.run_id,
    model: r.model,
    verdict: r.verdict as Verdict,
    actor: r.actor,
    reason: r.reason,
    atMs: Number(r.at_ms),
  };
}

/**
 * Records the verdict on a run awaiting approval and makes it due at once. Throws NotFoundError
 * for an unknown run and ConflictError for a run that is not awaiting approval.
 */
export async function recordApproval(store: Store, a: Omit<Approval, 'model'>): Promise<Approval> {
  return inTransaction(store, async (tx) => {
    // The write comes first: it takes the row's lock (or SQLite's write lock) before anything is read.
    const moved = await tx.db
      .updateTable('runs')
      .set({ state: 'waiting', next_check_ms: a.atMs, updated_ms: a.atMs })
      .where('id', '=', a.runId)
      .where('state', '=', 'awaiting_approval')
      .returning('model')
      .executeTakeFirst();
    if (!moved) throw await whyNot(tx, a);
    const row = { run_id: a.runId, model: moved.model, verdict: a.verdict, actor: a.actor, reason: a.reason };
    await tx.db
      .insertInto('approvals')
      .values({ ...row, at_ms: a.atMs })
      .execute();
    return { ...a, model: moved.model };
  });
}

async function whyNot(tx: Store, a: Omit<Approval, 'model'>): Promise<Error> {
  const run = await tx.db.selectFrom('runs').select(['state']).where('id', '=', a.runId).executeTakeFirst();
  if (!run) return new NotFoundError(`no run ${a.runId}: see \`refit runs\``);
  const earlier = await getApproval(tx, a.runId);
  if (earlier) {
    const when = new Date(earlier.atMs).toISOString();
    return new ConflictError(`run ${a.runId} was already ${earlier.verdict} by ${earlier.actor} at ${when}`);
  }
  return new ConflictError(`run ${a.runId} is ${run.state}, not awaiting approval: nothing to ${verb(a.verdict)}`);
}

const verb = (v: Verdict) => (v === 'approved' ? 'approve' : 'reject');
