/**
 * Predictions beyond ingestion: shadow predictions (a copy of the traffic answered by the shadow
 * alias, logged, never returned) and the counts status reports.
 */
import { sql } from 'kysely';
import type { Store } from './store.js';

export interface ShadowRow {
  model: string;
  id: string;
  version: string;
  prediction: string;
  confidence: number | null;
  tsMs: number;
}

export async function insertShadowPredictions(store: Store, rows: ShadowRow[]): Promise<void> {
  if (rows.length === 0) return;
  await store.db
    .insertInto('shadow_predictions')
    .values(
      rows.map((s) => ({
        model: s.model,
        id: s.id,
        version: s.version,
        prediction: s.prediction,
        confidence: s.confidence,
        ts_ms: s.tsMs,
      })),
    )
    .onConflict((oc) => oc.columns(['model', 'id', 'version']).doNothing())
    .execute();
}

/** Predictions stored for a model line, reviewed predictions and labelled examples (all time). */
export async function evidenceTotals(
  store: Store,
  model: string,
): Promise<{ predictions: number; reviewed: number; examples: number }> {
  const [preds, totals] = await Promise.all([
    store.db
      .selectFrom('predictions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('model', '=', model)
      .executeTakeFirst(),
    store.db
      .selectFrom('evidence_counters')
      .select([
        sql<number>`COALESCE(SUM(misclassified + correct), 0)`.as('reviewed'),
        sql<number>`COALESCE(SUM(examples), 0)`.as('examples'),
      ])
      .where('model', '=', model)
      .executeTakeFirst(),
  ]);
  return {
    predictions: Number(preds?.n ?? 0),
    reviewed: Number(totals?.reviewed ?? 0),
    examples: Number(totals?.examples ?? 0),
  };
}
