/**
 * Metrics from prediction rows `{label, prediction, proba?}` (the `refit evaluate --predictions`
 * format): `proba` is an object of label → probability, or for a binary task a single number,
 * the probability of the greater label in sorted order (scikit-learn's positive class).
 */
import { InputError } from '../../core/errors.js';
import type { MetricLookup } from '../../core/gate.js';
import { classificationMetrics, type ClassificationMetrics } from './classification.js';
import { regressionMetrics, type RegressionMetrics } from './regression.js';

export type Metrics =
  ({ task: 'classification' } & ClassificationMetrics) | ({ task: 'regression' } & RegressionMetrics);

export function metricsFromRows(
  rows: Record<string, unknown>[],
  task: 'classification' | 'regression',
  source = 'predictions',
): Metrics {
  if (rows.length === 0) throw new InputError(`${source} has no rows`);
  rows.forEach((r, i) => {
    if (r.label === undefined || r.label === null || r.label === '')
      throw new InputError(`${source}: row ${i + 1}: "label" is required (the true value)`);
    if (r.prediction === undefined || r.prediction === null || r.prediction === '')
      throw new InputError(`${source}: row ${i + 1}: "prediction" is required`);
  });
  if (task === 'regression') {
    const y = rows.map((r, i) => num(r.label, `${source}: row ${i + 1}: label`));
    const p = rows.map((r, i) => num(r.prediction, `${source}: row ${i + 1}: prediction`));
    return { task, ...regressionMetrics(y, p) };
  }
  const truth = rows.map((r) => String(r.label));
  const predicted = rows.map((r) => String(r.prediction));
  const given = rows.map(probaOf);
  const hasProba = given.some((p) => p !== undefined && p !== null && p !== '');
  let proba: Record<string, number>[] | null = null;
  if (hasProba) {
    const labels = [...new Set([...truth, ...predicted])].sort();
    proba = rows.map((_r, i) => {
      let p = given[i];
      if (typeof p === 'string')
        p = p.trim().startsWith('{') ? parseJson(p, `${source}: row ${i + 1}: proba`) : Number(p);
      if (typeof p === 'number') {
        if (labels.length !== 2)
          throw new InputError(
            `${source}: row ${i + 1}: a single number for "proba" needs a binary task; give {"label": probability, ...}`,
          );
        return { [labels[0]!]: 1 - p, [labels[1]!]: p };
      }
      if (!p || typeof p !== 'object')
        throw new InputError(`${source}: row ${i + 1}: "proba" must be a number or an object of label → probability`);
      const out = Object.fromEntries(
        Object.entries(p as Record<string, unknown>).map(([k, v]) => [
          k,
          num(v, `${source}: row ${i + 1}: proba.${k}`),
        ]),
      );
      const missing = labels.filter((l) => !(l in out));
      if (missing.length)
        throw new InputError(
          `${source}: row ${i + 1}: "proba" has no probability for ${missing.map((l) => `"${l}"`).join(', ')}; ` +
            `give one for every label (${labels.join(', ')})`,
        );
      return out;
    });
  }
  return { task, ...classificationMetrics({ truth, predicted, proba }) };
}

/**
 * A row's probabilities: the `proba` field, or — when an NDJSON object was read as columns — the
 * `proba.<label>` columns gathered back into one object.
 */
function probaOf(r: Record<string, unknown>): unknown {
  if (r.proba !== undefined) return r.proba;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(r)) if (k.startsWith('proba.') && k.length > 6) (out ??= {})[k.slice(6)] = v;
  return out;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: not valid JSON (${(err as Error).message})`);
  }
}

function num(v: unknown, where: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new InputError(`${where}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

export function metricLookup(m: Metrics): MetricLookup {
  return (metric, cls) => {
    if (cls !== undefined) {
      if (m.task !== 'classification') return null;
      const pc = m.per_class[cls] as unknown as Record<string, number> | undefined;
      const v = pc?.[metric];
      return typeof v === 'number' ? v : null;
    }
    const v = (m as unknown as Record<string, unknown>)[metric];
    return typeof v === 'number' ? v : null;
  };
}
