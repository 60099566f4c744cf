// Building a dataset version from 1M feedback rows: time and peak RSS of the real CLI
// (`refit datasets build`) in a child process. The store is filled with SQL: 1M predictions with
// text inputs and 1M matched feedback rows for one model line, every 11th misclassified.
// Usage: node bench/dataset.mjs [ROWS=1000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openApp, closeApp } from '../dist/index.js';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'refit-ds-'));
writeFileSync(join(dir, 'refit.yaml'), 'models:\n  m0:\n    labels: [ham, spam]\n');
const app = await openApp({ cwd: dir, env: {} });
const db = app.store.db;
await sql`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${sql.lit(n)})
  INSERT INTO predictions (model, id, version, input, prediction, confidence, ts_ms, ingested_ms)
  SELECT 'm0', printf('p-%08d', i), '3', '{"text":"message ' || i || ' about invoices meetings and offers"}', CASE WHEN i % 3 = 0 THEN 'spam' ELSE 'ham' END, 0.9, 1761955200000 + i * 1000, 0 FROM s`.execute(
  db,
);
await sql`INSERT INTO feedback (model, prediction_id, label, reviewer_confidence, ts_ms, ingested_ms, outcome, version, matched_ms)
  SELECT model, id, CASE WHEN CAST(substr(id, 3) AS INTEGER) % 11 = 0 THEN (CASE WHEN prediction = 'spam' THEN 'ham' ELSE 'spam' END) ELSE prediction END,
         0.95, ts_ms, 0, CASE WHEN CAST(substr(id, 3) AS INTEGER) % 11 = 0 THEN 0 ELSE 1 END, '3', 0 FROM predictions`.execute(
  db,
);
await sql`INSERT INTO evidence_counters (model, bucket, misclassified, correct, examples, mark_misclassified, mark_correct, mark_examples)
  SELECT model, 95, SUM(1 - outcome), SUM(outcome), 0, 0, 0, 0 FROM feedback GROUP BY model`.execute(db);
await closeApp(app);
if (process.env.KEEP) console.error('kept', dir);
if (process.env.SETUP_ONLY) process.exit(0);

const wrapper = `process.on('exit', () => process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n')); await import(${JSON.stringify(new URL('../dist/cli/main.js', import.meta.url).href)});`;
const t = performance.now();
const r = spawnSync(
  process.execPath,
  [
    ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/dsprof'] : []),
    '--input-type=module',
    '-e',
    wrapper,
    'refit',
    'datasets',
    'build',
    'm0',
    '--json',
    '--log-level',
    process.env.LOG ?? 'warn',
  ],
  { cwd: dir, encoding: 'utf8' },
);
const s = (performance.now() - t) / 1000;
if (r.status !== 0) throw new Error(r.stderr);
if (process.env.LOG) process.stderr.write(r.stderr);
const d = JSON.parse(r.stdout);
const result = {
  feedback_rows: n,
  dataset_rows: d.numSamples,
  splits: `${d.splits.train}/${d.splits.eval}/${d.splits.test}`,
  seconds: +s.toFixed(2),
  peak_rss_mib: Math.round(Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)[1]) / 1024),
};
console.table([result]);
console.log(JSON.stringify({ bench: 'dataset', result }));
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
