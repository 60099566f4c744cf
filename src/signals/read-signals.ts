/**
 * Assembles the `Signals` of one model line from the store (counters, windows, runs) and the
 * optional external count. O(model lines) queries, independent of the number of events.
 */
import type { Kysely } from 'kysely';
import type { ModelLineConfig } from '../config/config.js';
import type { Signals } from '../core/glossary.js';
import type { Database } from '../stores/schema.js';
import { readEvidenceCounts, readWindowAccuracy } from '../stores/signals.js';
import { readExternalCount } from './external-count.js';

export interface SignalOptions {
  nowMs: number;
  lastRetrainMs: number | null;
  secrets: readonly string[];
  /** Drift score from the last drift check; null until one ran. */
  driftScore?: number | null;
}

export async function readSignals(db: Kysely<Database>, line: ModelLineConfig, opts: SignalOptions): Promise<Signals> {
  const [counts, window, external] = await Promise.all([
    readEvidenceCounts(db, line.name, line.evidence.minReviewerConfidence),
    readWindowAccuracy(db, line, opts.nowMs),
    line.evidence.externalCount
      ? readExternalCount(line.evidence.externalCount, line.name, opts.secrets)
      : Promise.resolve(null),
  ]);
  const sampledCorrect = Math.min(counts.correct, Math.floor(counts.misclassified * line.evidence.correctRatio));
  const baseline = line.evidence.baselineAccuracy;
  const accuracyDrop =
    baseline !== null && baseline > 0 && window.accuracy !== null
      ? Math.max(0, (baseline - window.accuracy) / baseline)
      : null;
  return {
    misclassified: counts.misclassified,
    correct: counts.correct,
    sampled_correct: sampledCorrect,
    dataset_len: counts.misclassified + sampledCorrect + counts.examples,
    new_examples: counts.examples,
    new_labelled: counts.misclassified + counts.correct + counts.examples,
    online_accuracy: window.accuracy,
    window_size: window.n,
    accuracy_drop: accuracyDrop,
    drift_score: opts.driftScore ?? null,
    external_count: external,
    hours_since_retrain: opts.lastRetrainMs === null ? null : (opts.nowMs - opts.lastRetrainMs) / 3_600_000,
  };
}
