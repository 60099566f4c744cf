/**
 * Assembles the `Signals` of one model line from the store (counters, windows, runs) and the
 * optional external count. O(model lines) queries, independent of the number of events.
 */
import type { ModelLineConfig } from '../config/config.js';
import type { Signals } from '../core/glossary.js';
import { championOf } from '../stores/aliases.js';
import type { Store } from '../stores/store.js';
import { readEvidenceCounts, readWindowAccuracy } from '../stores/signals.js';
import { readExternalCount } from './external-count.js';

export interface SignalOptions {
  nowMs: number;
  lastRetrainMs: number | null;
  secrets: readonly string[];
  /** Drift score from the last drift check; null until one ran. */
  driftScore?: number | null;
  /** The champion's version when the caller read it already (null: none); read here otherwise. */
  champion?: number | null;
}

export async function readSignals(store: Store, line: ModelLineConfig, opts: SignalOptions): Promise<Signals> {
  // Online accuracy is the current champion's: a promotion restarts its window.
  const champion = opts.champion !== undefined ? opts.champion : await championOf(store, line.name);
  const [counts, window, external] = await Promise.all([
    readEvidenceCounts(store, line.name, line.evidence.minReviewerConfidence),
    readWindowAccuracy(store, line, opts.nowMs, champion === null ? null : String(champion)),
    line.evidence.externalCount
      ? readExternalCount(line.evidence.externalCount, line.name, opts.secrets)
      : Promise.resolve(null),
  ]);
  const ratio = line.evidence.correctRatio;
  const sampledCorrect = Math.min(counts.correct, Math.floor(counts.misclassified * ratio));
  const baseline = line.evidence.baselineAccuracy;
  const accuracyDrop =
    baseline !== undefined && baseline > 0 && window.accuracy !== null
      ? Math.max(0, (baseline - window.accuracy) / baseline)
      : null;
  return {
    misclassified: counts.misclassified,
    correct: counts.correct,
    sampled_correct: sampledCorrect,
    dataset_len: datasetLen(counts, sampledCorrect, external, ratio),
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

/**
 * misclassified + sampled correct + new examples. With an external count (misclassifications in
 * the user's own database, the third seed's SQL COUNT) that count is the misclassified evidence
 * when it is larger, and its correct rows are sampled by the preparer from the same database:
 * dataset_len = count + floor(count × correct_ratio) + new examples.
 */
function datasetLen(
  counts: { misclassified: number; examples: number },
  sampledCorrect: number,
  external: number | null,
  ratio: number,
): number {
  if (external !== null && external > counts.misclassified) {
    return external + Math.floor(external * ratio) + counts.examples;
  }
  return counts.misclassified + sampledCorrect + counts.examples;
}
