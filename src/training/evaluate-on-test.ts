/**
 * refit's own evaluation of a trained model: it predicts the dataset version's test split with
 * the model (through the line's predict command when it has one) and computes the metrics itself;
 * the trainer's reported metrics are never used for decisions.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { metricsFromRows, type Metrics } from '../ml/metrics/evaluate-rows.js';
import type { HoldoutRow } from './holdout-checks.js';
import { predictWith } from './predict-with.js';

export interface TestRow {
  id: string;
  input: Record<string, unknown>;
  label: string;
}

export function readTestRows(datasetDir: string): TestRow[] {
  return readFileSync(join(datasetDir, 'test.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TestRow);
}

export function taskKind(line: ModelLineConfig): 'classification' | 'regression' {
  return line.task === 'tabular-regression' ? 'regression' : 'classification';
}

/** The model's predictions on the rows, and the metrics of those predictions. */
export async function scoreOn(
  app: AppContext,
  line: ModelLineConfig,
  modelDir: string,
  test: TestRow[],
  source: string,
): Promise<{ metrics: Metrics; rows: HoldoutRow[] }> {
  const preds = await predictWith(line, modelDir, test, dirname(app.config.source));
  const task = taskKind(line);
  const rows = test.map((r, i) => {
    const p = preds[i]!;
    const proba = task === 'classification' && Object.keys(p.proba).length ? p.proba : undefined;
    return { input: r.input, label: r.label, prediction: p.value ?? p.prediction, proba };
  });
  return { metrics: metricsFromRows(rows, task, source), rows };
}
