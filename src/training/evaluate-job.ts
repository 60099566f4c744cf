/**
 * refit's own evaluation of a trained model: it predicts the dataset version's test split and
 * computes the metrics itself (the trainer's reported metrics are never used for decisions).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { metricsFromRows, type Metrics } from '../ml/metrics/evaluate-rows.js';
import { predictWith } from './predict-with.js';

export async function evaluateOnTest(
  app: AppContext,
  model: string,
  modelDir: string,
  datasetDir: string,
): Promise<Metrics> {
  const line = app.config.models[model]!;
  const test = readFileSync(join(datasetDir, 'test.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; input: Record<string, unknown>; label: string });
  const preds = await predictWith(line, modelDir, test, dirname(app.config.source));
  const task = line.task === 'tabular-regression' ? 'regression' : 'classification';
  const rows = test.map((r, i) => ({
    label: r.label,
    prediction: preds[i]!.value ?? preds[i]!.prediction,
    proba: task === 'classification' && Object.keys(preds[i]!.proba).length ? preds[i]!.proba : undefined,
  }));
  return metricsFromRows(rows, task, `test split of ${datasetDir}`);
}
