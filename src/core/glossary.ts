/**
 * Domain types and their glossary (PRODUCT.md).
 *
 * - model line: one prediction task with its own champion (`spam`, `urgency`).
 * - prediction: id, model version, input, predicted label, confidence.
 * - feedback: the true label of a prediction, with a reviewer confidence. A prediction whose true
 *   label differs from the predicted one is *misclassified*.
 * - example: a labelled sample that did not come from a prediction.
 * - evidence: feedback and examples that count for a retrain; feedback counts only when its reviewer
 *   confidence is at or above the model line's floor ("high-confidence data").
 * - signal: a number the decision reads (see `Signals`).
 * - trigger: a rule over signals; the decision combines them with any/all.
 * - retrain budget: a token bucket per model line that pays for retrains.
 * - decision: retrain / skip / blocked, with one sentence of reasons and the numbers behind them.
 * - run: one pass of the pipeline for one model line; created `queued` by a retrain decision.
 */

export interface PredictionEvent {
  type: 'prediction';
  id: string;
  model: string;
  version: string | null;
  input: Record<string, unknown>;
  prediction: string;
  confidence: number | null;
  tsMs: number;
}

export interface FeedbackEvent {
  type: 'feedback';
  predictionId: string;
  model: string;
  label: string;
  reviewerConfidence: number | null;
  tsMs: number;
}

export interface ExampleEvent {
  type: 'example';
  id: string;
  model: string;
  input: Record<string, unknown>;
  label: string;
  tsMs: number;
}

export type RefitEvent = PredictionEvent | FeedbackEvent | ExampleEvent;

/** The numbers a decision reads for one model line. `null` means "no data" (never "zero"). */
export interface Signals {
  /** Misclassified predictions (with confident feedback) since the last dataset. */
  misclassified: number;
  /** Correctly predicted, confidently reviewed predictions since the last dataset. */
  correct: number;
  /** Correct rows that would be sampled into the next dataset: min(correct, floor(misclassified × ratio)). */
  sampled_correct: number;
  /** misclassified + sampled_correct + new_examples (the third seed's dataset_len, plus labelled examples). */
  dataset_len: number;
  /** Labelled examples ingested since the last dataset. */
  new_examples: number;
  /** All new labelled samples since the last dataset: misclassified + correct + new_examples. */
  new_labelled: number;
  /** Accuracy of the model line's predictions over the configured window; null without feedback. */
  online_accuracy: number | null;
  /** Reviewed predictions inside that window. */
  window_size: number;
  /** Relative drop of online accuracy below the baseline, in [0, 1]; null without a baseline. */
  accuracy_drop: number | null;
  /** Drift score in [0, 1] from the last drift check; null until one ran. */
  drift_score: number | null;
  /** Result of the model line's external SQL count query; null when none is configured. */
  external_count: number | null;
  /** Hours since the last retrain started; null if never. */
  hours_since_retrain: number | null;
}

export type SignalName = keyof Signals;

export const SIGNAL_NAMES: readonly SignalName[] = [
  'misclassified',
  'correct',
  'sampled_correct',
  'dataset_len',
  'new_examples',
  'new_labelled',
  'online_accuracy',
  'window_size',
  'accuracy_drop',
  'drift_score',
  'external_count',
  'hours_since_retrain',
];

export type DecisionAction = 'retrain' | 'skip' | 'blocked';

/** Run states. `queued`, `running`, `waiting` and `awaiting_approval` are "in flight". */
export type RunState = 'queued' | 'running' | 'waiting' | 'awaiting_approval' | 'succeeded' | 'failed' | 'cancelled';
/** A run in one of these states holds its model line (no second run is queued). */
export const IN_FLIGHT_STATES: readonly RunState[] = ['queued', 'running', 'waiting', 'awaiting_approval'];
