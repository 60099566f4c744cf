// Evaluating a 100k-row holdout: refit's metrics (accuracy, balanced accuracy, P/R/F1 averages and
// per class, confusion matrix, ROC AUC, log loss, Brier) against scikit-learn computing the same
// in /usr/bin/python3 on the same rows, side by side; checks that the values agree.
// Usage: node bench/evaluate.mjs [ROWS=100000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classificationMetrics } from '../dist/ml/metrics/classification.js';

const n = Number(process.argv[2] ?? 100_000);
let seed = 11;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const label = [];
const prediction = [];
const score = [];
for (let i = 0; i < n; i++) {
  const spam = rnd() < 0.4;
  const s = Math.round(Math.min(1, Math.max(0, (spam ? 0.7 : 0.3) + (rnd() - 0.5) * 0.8)) * 1000) / 1000;
  label.push(spam ? 'spam' : 'ham');
  prediction.push(s >= 0.5 ? 'spam' : 'ham');
  score.push(s);
}
const dir = mkdtempSync(join(tmpdir(), 'refit-eval-'));
writeFileSync(join(dir, 'rows.json'), JSON.stringify({ label, prediction, score }));
const t = performance.now();
const m = classificationMetrics({
  truth: label,
  predicted: prediction,
  proba: score.map((s) => ({ ham: 1 - s, spam: s })),
});
const refitMs = performance.now() - t;
const py = spawnSync('/usr/bin/python3', [new URL('./evaluate.py', import.meta.url).pathname, join(dir, 'rows.json')], {
  encoding: 'utf8',
});
if (py.status !== 0) throw new Error(py.stderr);
const sk = JSON.parse(py.stdout);
let maxDiff = 0;
for (const [k, v] of Object.entries(sk.metrics)) maxDiff = Math.max(maxDiff, Math.abs(m[k] - v));
const result = {
  rows: n,
  refit_ms: +refitMs.toFixed(1),
  sklearn_ms: +(sk.seconds * 1000).toFixed(1),
  ratio_sklearn_over_refit: +((sk.seconds * 1000) / refitMs).toFixed(2),
  max_abs_diff: maxDiff,
};
console.table([result]);
console.log(JSON.stringify({ bench: 'evaluate', result }));
rmSync(dir, { recursive: true, force: true });
