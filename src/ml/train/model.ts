/**
 * The built-in model: a feature pipeline plus a linear model, trained in one call, saved as one
 * JSON file (`model.json`, format `refit-linear/2`) and loaded back for batch prediction.
 * Format 1 differed only in the text featurizer (`columns`, bucket → column, instead of `buckets`)
 * and still loads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import {
  fitTabular,
  fitTransformText,
  transform,
  width,
  type FeaturizerSpec,
  type Input,
  type TextFeaturizerSpec,
} from './featurize.js';
import type { Csr } from './sparse.js';
import { scores, trainBinaryLogistic, trainRidge, trainSoftmax, type LinearWeights } from './linear.js';

export type Task = 'text-classification' | 'tabular-classification' | 'tabular-regression';

export interface TrainParams {
  /**
   * Inverse regularisation strength, as scikit-learn's C: λ = 1 / (C · n). Default 10 for text,
   * 1 for tabular models (scikit-learn's LogisticRegression default).
   */
  C?: number;
  /**
   * Optimizer iterations at most. Default 30 for text (L-BFGS; more overfits at C = 10 and costs
   * time), 100 for tabular models (Newton's method, which converges in well under 20).
   */
  maxIter?: number;
  /** Hash buckets for text: 2^bits. Default 20. */
  bits?: number;
  /** Text input field. Default "text". */
  textField?: string;
  /** Text features in fewer training documents than this are dropped. Default 2. */
  minDf?: number;
}

export interface TrainedModel {
  format: 'refit-linear/2';
  task: Task;
  labels: string[];
  featurizer: FeaturizerSpec;
  k: number;
  d: number;
  w: number[];
  b: number[];
  params: Required<TrainParams>;
  training: { rows: number; iterations: number; loss: number; seconds: number };
}

export interface Prediction {
  prediction: string;
  /** Label → probability (classification); empty for regression. */
  proba: Record<string, number>;
  /** Numeric prediction (regression). */
  value?: number;
}

/** The most iterations a training takes (`maxIter`, default 30 for text and 100 for tabular models). */
export function maxIterations(task: Task, params: TrainParams = {}): number {
  return params.maxIter ?? (task === 'text-classification' ? 30 : 100);
}

export function trainModel(
  rows: { input: Input; label: string }[],
  task: Task,
  params: TrainParams = {},
  onIteration?: (i: number, loss: number) => void,
): TrainedModel {
  if (rows.length === 0) throw new UsageError('cannot train on an empty train split');
  const text = task === 'text-classification';
  const p: Required<TrainParams> = {
    C: params.C ?? (text ? 10 : 1),
    maxIter: maxIterations(task, params),
    bits: params.bits ?? 20,
    textField: params.textField ?? 'text',
    minDf: params.minDf ?? 2,
  };
  const t0 = performance.now();
  const inputs = rows.map((r) => r.input);
  let featurizer: FeaturizerSpec;
  let X: Csr;
  if (task === 'text-classification')
    ({ spec: featurizer, X } = fitTransformText(inputs, p.textField, p.bits, p.minDf));
  else {
    featurizer = fitTabular(inputs);
    X = transform(featurizer, inputs);
  }
  const lambda = 1 / (p.C * rows.length);
  let labels: string[] = [];
  let result: { weights: LinearWeights; iterations: number; loss: number };
  if (task === 'tabular-regression') {
    const y = Float64Array.from(
      rows.map((r, i) => {
        const v = Number(r.label);
        if (!Number.isFinite(v))
          throw new UsageError(`train row ${i + 1}: label ${JSON.stringify(r.label)} is not a number`);
        return v;
      }),
    );
    result = trainRidge(X, y, lambda, { maxIter: p.maxIter, onIteration });
  } else {
    const seen = new Set<string>();
    for (let i = 0; i < rows.length; i++) seen.add(rows[i]!.label);
    labels = [...seen].sort();
    if (labels.length < 2)
      throw new UsageError(`the train split has one class only (${labels[0]}): a classifier needs at least two`);
    const index = new Map(labels.map((l, i) => [l, i]));
    const y = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) y[i] = index.get(rows[i]!.label)!;
    result =
      labels.length === 2
        ? trainBinaryLogistic(X, y, lambda, { maxIter: p.maxIter, onIteration })
        : trainSoftmax(X, y, labels.length, lambda, { maxIter: p.maxIter, onIteration });
  }
  return {
    format: 'refit-linear/2',
    task,
    labels,
    featurizer,
    k: result.weights.k,
    d: width(featurizer),
    w: Array.from(result.weights.w),
    b: Array.from(result.weights.b),
    params: p,
    training: {
      rows: rows.length,
      iterations: result.iterations,
      loss: result.loss,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

export function predict(model: TrainedModel, inputs: Input[]): Prediction[] {
  const X = transform(model.featurizer, inputs);
  const s = scores(X, { k: model.k, d: model.d, w: Float64Array.from(model.w), b: Float64Array.from(model.b) });
  const out: Prediction[] = [];
  for (let i = 0; i < inputs.length; i++) {
    if (model.task === 'tabular-regression') {
      const v = s[i]!;
      out.push({ prediction: String(v), proba: {}, value: v });
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < model.k; c++) max = Math.max(max, s[i * model.k + c]!);
    let sum = 0;
    const e = new Array<number>(model.k);
    for (let c = 0; c < model.k; c++) sum += e[c] = Math.exp(s[i * model.k + c]! - max);
    let best = 0;
    const proba: Record<string, number> = {};
    for (let c = 0; c < model.k; c++) {
      proba[model.labels[c]!] = e[c]! / sum;
      if (e[c]! > e[best]!) best = c;
    }
    out.push({ prediction: model.labels[best]!, proba });
  }
  return out;
}

export function saveModel(model: TrainedModel, path: string): void {
  writeFileSync(path, JSON.stringify(model));
}

export function loadModel(path: string): TrainedModel {
  const m = JSON.parse(readFileSync(path, 'utf8')) as TrainedModel | FormatOne;
  if (m.format === 'refit-linear/2') return m;
  if (m.format === 'refit-linear/1') return fromFormatOne(m);
  throw new UsageError(
    `${path} is not a refit built-in model (format ${JSON.stringify((m as { format?: unknown }).format)}); retrain it with this version of refit`,
  );
}

type FormatOne = Omit<TrainedModel, 'format' | 'featurizer'> & {
  format: 'refit-linear/1';
  featurizer: FeaturizerSpec | (Omit<TextFeaturizerSpec, 'buckets'> & { columns: Record<string, number> });
};

function fromFormatOne(m: FormatOne): TrainedModel {
  const f = m.featurizer;
  if (f.kind !== 'text' || !('columns' in f))
    return { ...m, format: 'refit-linear/2', featurizer: f as FeaturizerSpec };
  const { columns, ...rest } = f;
  const buckets = new Array<number>(rest.idf.length);
  for (const [b, c] of Object.entries(columns)) buckets[c] = Number(b);
  return { ...m, format: 'refit-linear/2', featurizer: { ...rest, buckets } };
}
