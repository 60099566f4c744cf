/** Regression metrics equal to scikit-learn 1.2's: MAE, RMSE, R² (force_finite), MAPE (eps-guarded). */

export interface RegressionMetrics {
  n: number;
  mae: number;
  rmse: number;
  r2: number;
  mape: number;
}

export function regressionMetrics(truth: number[], predicted: number[]): RegressionMetrics {
  const n = truth.length;
  if (n === 0 || predicted.length !== n)
    throw new RangeError(`need as many predictions as truths (got ${n} and ${predicted.length})`);
  const eps = 2.220446049250313e-16;
  let abs = 0;
  let sq = 0;
  let ape = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]!;
  mean /= n;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predicted[i]!;
    abs += Math.abs(e);
    sq += e * e;
    ape += Math.abs(e) / Math.max(Math.abs(truth[i]!), eps);
    tot += (truth[i]! - mean) ** 2;
  }
  const r2 = tot === 0 ? (sq === 0 ? 1 : 0) : 1 - sq / tot;
  return { n, mae: abs / n, rmse: Math.sqrt(sq / n), r2, mape: ape / n };
}
