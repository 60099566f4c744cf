// `refit plan` time with 10 model lines as the feedback table grows (1M, 10M events), against the
// seed's way of reading the same signal: a SELECT COUNT(*) of misclassified rows per model line.
// The store is filled with SQL (the same rows and counters ingestion writes), then both are timed
// side by side on the same file; the two misclassified counts are checked to agree.
// Usage: node bench/plan.mjs [SIZES=1000000,10000000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openApp, closeApp, decideAll } from '../dist/index.js';
import { benchConfig } from './gen-events.mjs';

const sizes = (process.argv[2] ?? '1000000,10000000').split(',').map(Number);
const MODELS = 10;
const results = [];

for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'refit-plan-'));
  writeFileSync(join(dir, 'refit.yaml'), benchConfig(MODELS));
  const app = await openApp({ cwd: dir, env: {}, overrides: { store: `sqlite:${join(dir, 'refit.db')}` } });
  const db = app.store.db;
  const t0 = performance.now();
  // n predictions and n feedback rows; every 11th misclassified; reviewer confidence 0.95.
  await sql`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${sql.lit(n)})
    INSERT INTO predictions (model, id, version, input, prediction, confidence, ts_ms, ingested_ms)
    SELECT 'm' || (i % ${sql.lit(MODELS)}), 'p-' || i, '3', '{"text":"x"}', CASE WHEN i % 3 = 0 THEN 'spam' ELSE 'ham' END, 0.9, 1761955200000 + i * 1000, 0 FROM s`.execute(
    db,
  );
  await sql`INSERT INTO feedback (model, prediction_id, label, reviewer_confidence, ts_ms, ingested_ms, outcome, version, matched_ms)
    SELECT model, id, CASE WHEN CAST(substr(id, 3) AS INTEGER) % 11 = 0 THEN (CASE WHEN prediction = 'spam' THEN 'ham' ELSE 'spam' END) ELSE prediction END,
           0.95, ts_ms, 0, CASE WHEN CAST(substr(id, 3) AS INTEGER) % 11 = 0 THEN 0 ELSE 1 END, '3', 0 FROM predictions`.execute(
    db,
  );
  await sql`INSERT INTO evidence_counters (model, bucket, misclassified, correct, examples, mark_misclassified, mark_correct, mark_examples)
    SELECT model, 95, SUM(1 - outcome), SUM(outcome), 0, 0, 0, 0 FROM feedback GROUP BY model`.execute(db);
  await sql`INSERT INTO accuracy_hourly (model, version, hour_ms, correct, total)
    SELECT model, version, (ts_ms / 3600000) * 3600000, SUM(outcome), COUNT(*) FROM feedback GROUP BY 1, 2, 3`.execute(
    db,
  );
  await sql`ANALYZE`.execute(db);
  const fillS = (performance.now() - t0) / 1000;
  const filled =
    await sql`SELECT (SELECT COUNT(*) FROM predictions) AS p, (SELECT COUNT(*) FROM feedback) AS f, (SELECT SUM(misclassified) FROM evidence_counters) AS m`.execute(
      db,
    );

  const time = async (fn, reps = 5) => {
    const xs = [];
    let out;
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      out = await fn();
      xs.push(performance.now() - t);
    }
    return { ms: xs.sort((a, b) => a - b)[Math.floor(reps / 2)], out };
  };
  const plan = await time(() => decideAll(app, { dryRun: true, actor: 'bench' }));
  const seed = await time(async () => {
    const counts = {};
    for (let m = 0; m < MODELS; m++) {
      const r =
        await sql`SELECT COUNT(*) AS n FROM feedback WHERE model = ${'m' + m} AND outcome = 0 AND reviewer_confidence >= 0.0`.execute(
          db,
        );
      counts['m' + m] = Number(r.rows[0].n);
    }
    return counts;
  });
  if (filled.rows[0].m !== Math.ceil(n / 11))
    throw new Error(`fill produced ${filled.rows[0].m} misclassified rows, expected ${Math.ceil(n / 11)}`);
  for (const o of plan.out.outcomes) {
    if (o.decision.signals.misclassified === 0)
      throw new Error(`no evidence for ${o.model}: the fill does not match the model lines`);
    if (o.decision.signals.misclassified !== seed.out[o.model])
      throw new Error(`mismatch for ${o.model}: ${o.decision.signals.misclassified} vs ${seed.out[o.model]}`);
  }
  results.push({
    feedback_events: n,
    model_lines: MODELS,
    refit_plan_ms: +plan.ms.toFixed(1),
    seed_count_ms: +seed.ms.toFixed(1),
    ratio_seed_over_refit: +(seed.ms / plan.ms).toFixed(1),
    fill_s: +fillS.toFixed(1),
  });
  await closeApp(app);
  if (process.env.KEEP) console.error('kept', dir);
  else rmSync(dir, { recursive: true, force: true });
}
console.table(results);
console.log(JSON.stringify({ bench: 'plan', results }));
