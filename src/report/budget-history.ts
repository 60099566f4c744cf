/**
 * A line's retrain budget over time, read back from its decisions: every retrain or skip records
 * the bucket as it was (tokens, capacity, cost), so the tokens left after each decision are known
 * without a table of their own. The newest `limit` decisions, oldest first.
 */
import type { AppContext } from '../app-context.js';
import { listDecisions } from '../stores/decisions.js';

export interface BudgetPoint {
  atMs: number;
  /** Tokens left after the decision (a retrain spends its cost). */
  tokens: number;
  capacity: number;
  action: string;
}

interface Recorded {
  tokens?: unknown;
  capacity?: unknown;
  cost?: unknown;
  allowed?: unknown;
}

export async function budgetHistory(app: AppContext, model: string, limit = 500): Promise<BudgetPoint[]> {
  const decisions = await listDecisions(app.store, { model, actions: ['retrain', 'skip'], limit });
  const points: BudgetPoint[] = [];
  for (const d of decisions.reverse()) {
    const b = (d.details.budget ?? null) as Recorded | null;
    if (!b || typeof b.tokens !== 'number' || typeof b.capacity !== 'number') continue;
    const spent = d.action === 'retrain' && !d.details.forced && typeof b.cost === 'number' ? b.cost : 0;
    points.push({ atMs: d.atMs, tokens: Math.max(0, b.tokens - spent), capacity: b.capacity, action: d.action });
  }
  return points;
}
