/**
 * The one line that tells a run's result:
 * "spam v4 retrained on v20261122_031200 and deployed: f1_macro 0.962 (champion v3: 0.941)".
 */
import type { Metrics } from '../ml/metrics/evaluate-rows.js';

/** The metric a headline quotes: f1_macro for classification, rmse for regression. */
export function headlineMetric(m: Metrics): 'f1_macro' | 'rmse' {
  return m.task === 'classification' ? 'f1_macro' : 'rmse';
}

export function metricOf(m: Metrics, key: string): number | null {
  const v = (m as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : null;
}

export function headlineOf(
  model: string,
  version: number,
  candidate: Metrics,
  champion: Metrics | null,
  championVersion: number | null,
  tag: string,
): string {
  const key = headlineMetric(candidate);
  const show = (m: Metrics) => (metricOf(m, key) ?? NaN).toFixed(3);
  const against = champion ? ` (champion v${championVersion}: ${show(champion)})` : ' (first model)';
  return `${model} v${version} retrained on ${tag} and deployed: ${key} ${show(candidate)}${against}`;
}
