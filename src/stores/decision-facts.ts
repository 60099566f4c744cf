/**
 * The facts a decision reads from the store besides the evidence signals: budget state,
 * hysteresis streaks, runs in flight, retrains in the last day, the last retrain.
 */
import type { BudgetState } from '../core/budget.js';
import { IN_FLIGHT_STATES } from '../core/glossary.js';
import type { Store } from './store.js';

export interface DecisionFacts {
  createdMs: number | null;
  budget: BudgetState | null;
  streaks: Record<string, number>;
  inFlightRunId: string | null;
  runsInFlight: number;
  retrainsLastDay: number;
  lastRetrainMs: number | null;
}

const DAY = 86_400_000;

export async function readDecisionFacts(store: Store, model: string, nowMs: number): Promise<DecisionFacts> {
  const [line, budget, streakRows, inFlight, total, lastDay, last] = await Promise.all([
    store.db.selectFrom('model_lines').select('created_ms').where('name', '=', model).executeTakeFirst(),
    store.db.selectFrom('budget_state').selectAll().where('model', '=', model).executeTakeFirst(),
    store.db.selectFrom('trigger_state').select(['rule_id', 'streak']).where('model', '=', model).execute(),
    store.db
      .selectFrom('runs')
      .select('id')
      .where('model', '=', model)
      .where('state', 'in', IN_FLIGHT_STATES)
      .orderBy('created_ms')
      .limit(1)
      .executeTakeFirst(),
    store.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', IN_FLIGHT_STATES)
      .executeTakeFirst(),
    store.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('model', '=', model)
      .where('created_ms', '>', nowMs - DAY)
      .where('state', '!=', 'cancelled')
      .executeTakeFirst(),
    store.db
      .selectFrom('runs')
      .select((eb) => eb.fn.max<number>('created_ms').as('at'))
      .where('model', '=', model)
      .executeTakeFirst(),
  ]);
  return {
    createdMs: line ? Number(line.created_ms) : null,
    budget: budget
      ? {
          tokens: Number(budget.tokens),
          lastMs: budget.last_ms === null ? null : Number(budget.last_ms),
          rejections: budget.rejections,
        }
      : null,
    streaks: Object.fromEntries(streakRows.map((r) => [r.rule_id, r.streak])),
    inFlightRunId: inFlight?.id ?? null,
    runsInFlight: Number(total?.n ?? 0),
    retrainsLastDay: Number(lastDay?.n ?? 0),
    lastRetrainMs: last?.at === null || last?.at === undefined ? null : Number(last.at),
  };
}

/** Registers model lines from the config (idempotent); `created_ms` anchors cron schedules. */
export async function ensureModelLines(store: Store, names: string[], nowMs: number): Promise<void> {
  if (names.length === 0) return;
  await store.db
    .insertInto('model_lines')
    .values(names.map((name) => ({ name, created_ms: nowMs, lock_version: 0 })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** The champion changed: hysteresis streaks start over (they judged the version that served before). */
export async function resetStreaks(store: Store, model: string): Promise<void> {
  await store.db.deleteFrom('trigger_state').where('model', '=', model).execute();
}
