/**
 * The metrics refit computes itself and a gate may name (scikit-learn's definitions), per task,
 * plus `drift_share` (the new train split against the champion's). Per-class floors name
 * precision, recall or f1 with a `class`.
 */

export const CLASSIFICATION_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_micro',
  'recall_micro',
  'f1_micro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'roc_auc',
  'log_loss',
  'brier',
] as const;

export const REGRESSION_METRICS = ['mae', 'rmse', 'r2', 'mape'] as const;

export const PER_CLASS_METRICS = ['precision', 'recall', 'f1'] as const;

export const DRIFT_SHARE = 'drift_share';

/** What a report compares candidate and champion on, in this order, where the task has it. */
export const REPORTED_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'f1_macro',
  'precision_macro',
  'recall_macro',
  'roc_auc',
  'log_loss',
  'mae',
  'rmse',
  'r2',
  'mape',
] as const;

/** A top-level number of a metrics object, or null. */
export function metricNumber(m: unknown, key: string): number | null {
  const v = m ? (m as Record<string, unknown>)[key] : null;
  return typeof v === 'number' ? v : null;
}

export type TaskKind = 'classification' | 'regression';

/** Metric names a gate rule may use for a task (without `class`). */
export function gateMetricNames(task: TaskKind): string[] {
  return [...(task === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS), DRIFT_SHARE];
}

/** Why a gate rule's metric cannot be computed for the task, or null when it can. */
export function gateMetricProblem(task: TaskKind, metric: string, cls: string | undefined): string | null {
  if (cls !== undefined) {
    if (task !== 'classification') return `per-class metrics ("class: ${cls}") need a classification task`;
    if ((PER_CLASS_METRICS as readonly string[]).includes(metric)) return null;
    return `"${metric}" is not a per-class metric: with "class" use ${PER_CLASS_METRICS.join(', ')}`;
  }
  const names = gateMetricNames(task);
  if (names.includes(metric)) return null;
  return `refit does not compute "${metric}" for a ${task} task: use one of ${names.join(', ')}`;
}
