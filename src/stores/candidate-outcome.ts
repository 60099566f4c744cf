/**
 * Feeds gate outcomes back into the retrain budget: a rejected candidate raises the next retrain's
 * cost (backoff), a promotion resets it. Atomic per model line (one upsert).
 */
import type { Store } from './store.js';

export async function recordCandidateOutcome(
  store: Store,
  model: string,
  outcome: 'rejected' | 'promoted',
  capacity: number,
  nowMs: number,
): Promise<void> {
  const rejected = outcome === 'rejected' ? 1 : 0;
  await store.db
    .insertInto('budget_state')
    .values({ model, tokens: capacity, last_ms: null, rejections: rejected, updated_ms: nowMs })
    .onConflict((oc) =>
      oc.column('model').doUpdateSet((eb) => ({
        rejections: outcome === 'rejected' ? eb('budget_state.rejections', '+', 1) : eb.val(0),
        updated_ms: eb.val(nowMs),
      })),
    )
    .execute();
}
