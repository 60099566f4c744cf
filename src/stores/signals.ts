/**
 * Reading the evidence signals of one model line in O(1) queries of bounded size, whatever the
 * number of events: counters per confidence bucket, a LIMIT-bounded scan for count windows,
 * hourly rollups for time windows.
 */
import { sql } from 'kysely';
import type { ModelLineConfig } from '../config/config.js';
import type { Store } from './store.js';

const HOUR = 3_600_000;

export interface EvidenceCounts {
  misclassified: number;
  correct: number;
  examples: number;
}

/** Evidence since the last dataset, counting feedback at or above the reviewer-confidence floor. */
export async function readEvidenceCounts(
  store: Store,
  model: string,
  minReviewerConfidence: number,
): Promise<EvidenceCounts> {
  const floorBucket = Math.ceil(minReviewerConfidence * 100 - 1e-9);
  const row = await store.db
    .selectFrom('evidence_counters')
    .select([
      sql<number>`COALESCE(SUM(CASE WHEN bucket >= ${floorBucket} THEN misclassified - mark_misclassified ELSE 0 END), 0)`.as(
        'misclassified',
      ),
      sql<number>`COALESCE(SUM(CASE WHEN bucket >= ${floorBucket} THEN correct - mark_correct ELSE 0 END), 0)`.as(
        'correct',
      ),
      sql<number>`COALESCE(SUM(examples - mark_examples), 0)`.as('examples'),
    ])
    .where('model', '=', model)
    .executeTakeFirst();
  return {
    misclassified: Number(row?.misclassified ?? 0),
    correct: Number(row?.correct ?? 0),
    examples: Number(row?.examples ?? 0),
  };
}

export interface WindowAccuracy {
  accuracy: number | null;
  n: number;
}

/**
 * Online accuracy over the configured window: the latest N reviewed predictions, or the last T
 * (hour granularity) — of `version` only when given (the champion: a promotion restarts it).
 */
export async function readWindowAccuracy(
  store: Store,
  line: ModelLineConfig,
  nowMs: number,
  version: string | null = null,
): Promise<WindowAccuracy> {
  const w = line.evidence.window;
  let correct = 0;
  let n = 0;
  if (w.kind === 'count') {
    const row = await store.db
      .selectFrom((eb) =>
        eb
          .selectFrom('feedback')
          .select('outcome')
          .where('model', '=', line.name)
          .where('outcome', 'is not', null)
          .$if(version !== null, (q) => q.where('version', '=', version!))
          .orderBy('ts_ms', 'desc')
          .limit(w.count)
          .as('recent'),
      )
      .select([sql<number>`COALESCE(SUM(outcome), 0)`.as('correct'), sql<number>`COUNT(*)`.as('n')])
      .executeTakeFirst();
    correct = Number(row?.correct ?? 0);
    n = Number(row?.n ?? 0);
  } else {
    const from = Math.floor((nowMs - w.ms) / HOUR) * HOUR;
    const row = await store.db
      .selectFrom('accuracy_hourly')
      .select([sql<number>`COALESCE(SUM(correct), 0)`.as('correct'), sql<number>`COALESCE(SUM(total), 0)`.as('n')])
      .where('model', '=', line.name)
      .where('hour_ms', '>=', from)
      .$if(version !== null, (q) => q.where('version', '=', version!))
      .executeTakeFirst();
    correct = Number(row?.correct ?? 0);
    n = Number(row?.n ?? 0);
  }
  return { accuracy: n > 0 ? correct / n : null, n };
}
