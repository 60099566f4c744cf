/** `refit status`: the store, each model line's evidence, budget, runs in flight and last decisions. */
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';
import { checkBudget } from '../core/budget.js';
import { IN_FLIGHT_STATES } from '../core/glossary.js';
import { readDecisionFacts } from '../stores/decision-facts.js';
import { readEvidenceCounts, readWindowAccuracy } from '../stores/signals.js';

export interface ModelStatus {
  model: string;
  task: string;
  predictions: number;
  reviewed: number;
  examples: number;
  sinceLastDataset: { misclassified: number; correct: number; examples: number };
  onlineAccuracy: number | null;
  windowSize: number;
  budget: { tokens: number; capacity: number; cost: number; rejections: number };
  runsInFlight: { id: string; state: string; createdMs: number }[];
  lastDecisions: { atMs: number; action: string; actor: string; reason: string; runId: string | null }[];
}

export interface StatusReport {
  atMs: number;
  store: string;
  dialect: string;
  config: string;
  models: ModelStatus[];
}

export async function readStatus(app: AppContext): Promise<StatusReport> {
  const { db } = app.store;
  const nowMs = app.clock.now();
  const models: ModelStatus[] = [];
  for (const line of Object.values(app.config.models)) {
    const [preds, totals, since, window, facts, inflight, decisions] = await Promise.all([
      db
        .selectFrom('predictions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('model', '=', line.name)
        .executeTakeFirst(),
      db
        .selectFrom('evidence_counters')
        .select([
          sql<number>`COALESCE(SUM(misclassified + correct), 0)`.as('reviewed'),
          sql<number>`COALESCE(SUM(examples), 0)`.as('examples'),
        ])
        .where('model', '=', line.name)
        .executeTakeFirst(),
      readEvidenceCounts(db, line.name, line.evidence.minReviewerConfidence),
      readWindowAccuracy(db, line, nowMs),
      readDecisionFacts(db, line.name, nowMs),
      db
        .selectFrom('runs')
        .select(['id', 'state', 'created_ms'])
        .where('model', '=', line.name)
        .where('state', 'in', IN_FLIGHT_STATES)
        .orderBy('created_ms')
        .execute(),
      db
        .selectFrom('decisions')
        .select(['at_ms', 'action', 'actor', 'reason', 'run_id'])
        .where('model', '=', line.name)
        .orderBy('at_ms', 'desc')
        .limit(5)
        .execute(),
    ]);
    const b = checkBudget(line.budget, facts.budget, nowMs, 0, false);
    models.push({
      model: line.name,
      task: line.task,
      predictions: Number(preds?.n ?? 0),
      reviewed: Number(totals?.reviewed ?? 0),
      examples: Number(totals?.examples ?? 0),
      sinceLastDataset: since,
      onlineAccuracy: window.accuracy,
      windowSize: window.n,
      budget: { tokens: b.tokens, capacity: b.capacity, cost: b.cost, rejections: b.rejections },
      runsInFlight: inflight.map((r) => ({ id: r.id, state: r.state, createdMs: Number(r.created_ms) })),
      lastDecisions: decisions.map((d) => ({
        atMs: Number(d.at_ms),
        action: d.action,
        actor: d.actor,
        reason: d.reason,
        runId: d.run_id,
      })),
    });
  }
  return { atMs: nowMs, store: app.store.displayUrl, dialect: app.store.dialect, config: app.config.source, models };
}
