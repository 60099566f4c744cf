/**
 * The one line that tells a run's result:
 * "spam v4 retrained on v20261122_031200 and deployed: f1_macro 0.962 (champion v3: 0.941)".
 */
import type { Metrics } from '../ml/metrics/evaluate-rows.js';

/**
 * The metric a headline quotes: the first metric the line's gate judges (without a class), else
 * f1_macro for classification and rmse for regression.
 */
export function headlineMetric(m: Metrics, gate: readonly { metric: string; class?: string }[] = []): string {
  const gated = gate.find((g) => g.class === undefined && metricOf(m, g.metric) !== null);
  return gated?.metric ?? (m.task === 'classification' ? 'f1_macro' : 'rmse');
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
  gate: readonly { metric: string; class?: string }[] = [],
): string {
  return `${model} v${version} retrained on ${tag} and deployed: ${comparison(candidate, champion, championVersion, gate)}`;
}

/** "f1_macro 0.962 (champion v3: 0.941)", or "(first model)" without a champion. */
export function comparison(
  candidate: Metrics,
  champion: Metrics | null,
  championVersion: number | null,
  gate: readonly { metric: string; class?: string }[] = [],
): string {
  const key = headlineMetric(candidate, gate);
  const show = (m: Metrics) => (metricOf(m, key) ?? NaN).toFixed(3);
  const against = champion ? ` (champion v${championVersion}: ${show(champion)})` : ' (first model)';
  return `${key} ${show(candidate)}${against}`;
}
