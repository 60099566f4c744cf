/**
 * Classification metrics computed from predictions, equal to scikit-learn 1.2's: accuracy,
 * balanced accuracy, precision / recall / F1 per class and macro / micro / weighted averages
 * (zero_division = 0), the confusion matrix, ROC AUC (binary, and one-vs-rest macro for
 * multiclass), log loss and the Brier score (binary). Labels are the sorted union of truths and
 * predictions, as `unique_labels` sorts them.
 */

export interface ClassificationInput {
  truth: string[];
  predicted: string[];
  /** Per row, the probability of each label (missing labels count as 0); null when not given. */
  proba: Record<string, number>[] | null;
}

export interface PerClass {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  n: number;
  labels: string[];
  accuracy: number;
  balanced_accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_micro: number;
  recall_micro: number;
  f1_micro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  per_class: Record<string, PerClass>;
  /** Rows: true label, columns: predicted label, both in `labels` order. */
  confusion_matrix: number[][];
  roc_auc: number | null;
  log_loss: number | null;
  brier: number | null;
}

const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);
const sortLabels = (xs: Iterable<string>) => [...new Set(xs)].sort();

export function classificationMetrics(input: ClassificationInput): ClassificationMetrics {
  const { truth, predicted } = input;
  const n = truth.length;
  if (n === 0 || predicted.length !== n)
    throw new RangeError(`need as many predictions as truths (got ${n} and ${predicted.length})`);
  const labels = sortLabels([...truth, ...predicted]);
  const index = new Map(labels.map((l, i) => [l, i]));
  const cm = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < n; i++) cm[index.get(truth[i]!)!]![index.get(predicted[i]!)!]!++;

  const per: Record<string, PerClass> = {};
  let tpSum = 0;
  for (const [i, l] of labels.entries()) {
    const tp = cm[i]![i]!;
    const support = cm[i]!.reduce((a, b) => a + b, 0);
    const predCount = cm.reduce((a, row) => a + row[i]!, 0);
    const precision = safeDiv(tp, predCount);
    const recall = safeDiv(tp, support);
    per[l] = { precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), support };
    tpSum += tp;
  }
  const avg = (k: keyof PerClass) => labels.reduce((a, l) => a + per[l]![k], 0) / labels.length;
  const weighted = (k: keyof PerClass) => labels.reduce((a, l) => a + per[l]![k] * per[l]!.support, 0) / n;
  const micro = tpSum / n;
  const present = labels.filter((l) => per[l]!.support > 0);
  const balanced = present.reduce((a, l) => a + per[l]!.recall, 0) / present.length;

  return {
    n,
    labels,
    accuracy: tpSum / n,
    balanced_accuracy: balanced,
    precision_macro: avg('precision'),
    recall_macro: avg('recall'),
    f1_macro: avg('f1'),
    precision_micro: micro,
    recall_micro: micro,
    f1_micro: micro,
    precision_weighted: weighted('precision'),
    recall_weighted: weighted('recall'),
    f1_weighted: weighted('f1'),
    per_class: per,
    confusion_matrix: cm,
    ...probabilityMetrics(input),
  };
}

/** ROC AUC, log loss and Brier score need probabilities over the classes seen in the truth. */
function probabilityMetrics(input: ClassificationInput): Pick<ClassificationMetrics, 'roc_auc' | 'log_loss' | 'brier'> {
  if (!input.proba) return { roc_auc: null, log_loss: null, brier: null };
  const classes = sortLabels([...input.truth, ...input.proba.flatMap((p) => Object.keys(p))]);
  const P = input.proba.map((p) => classes.map((c) => p[c] ?? 0));
  const truthClasses = sortLabels(input.truth);
  if (truthClasses.length < 2) return { roc_auc: null, log_loss: logLoss(input.truth, P, classes), brier: null };
  if (classes.length === 2) {
    const pos = classes[1]!;
    const scores = P.map((row) => row[1]!);
    const y: number[] = input.truth.map((t) => (t === pos ? 1 : 0));
    const brier = y.reduce((a, yi, i) => a + (yi - scores[i]!) ** 2, 0) / y.length;
    return { roc_auc: binaryAuc(y, scores), log_loss: logLoss(input.truth, P, classes), brier };
  }
  // One-vs-rest, macro average over the classes (scikit-learn's multi_class='ovr').
  let sum = 0;
  for (const [j, c] of classes.entries())
    sum += binaryAuc(
      input.truth.map((t) => (t === c ? 1 : 0)),
      P.map((row) => row[j]!),
    );
  return { roc_auc: sum / classes.length, log_loss: logLoss(input.truth, P, classes), brier: null };
}

/** Area under the ROC curve = the Mann–Whitney U statistic with average ranks for ties. */
export function binaryAuc(y: number[], scores: number[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  const nPos = y.filter((v) => v === 1).length;
  const nNeg = y.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  let rankSum = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) rankSum += ranks[i]!;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** scikit-learn 1.2 log_loss: clip to [eps, 1 − eps] (eps = float64 machine epsilon), renormalise rows. */
function logLoss(truth: string[], P: number[][], classes: string[]): number {
  const eps = 2.220446049250313e-16;
  const index = new Map(classes.map((c, i) => [c, i]));
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const row = P[i]!.map((p) => Math.min(1 - eps, Math.max(eps, p)));
    const s = row.reduce((a, b) => a + b, 0);
    total += -Math.log(row[index.get(truth[i]!)!]! / s);
  }
  return total / truth.length;
}
