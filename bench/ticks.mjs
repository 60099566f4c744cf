// Ticks per second with 100 model lines: one tick = decide every line for real (signals, triggers,
// budget, recorded decisions with their streaks), advance due runs, monitor every line and deliver
// due notifications — what `refit serve` does on its schedule. Every line has evidence (10,000
// reviewed predictions per line) but no trigger fires, so the tick does all its reading and
// recording without training. Baseline in the same script: the bare reads a tick needs at least,
// one SELECT of the evidence counters per line. SQLite, and PostgreSQL when a URL is given.
// Usage: node bench/ticks.mjs [TICKS=30]   (REFIT_BENCH_PG_URL or REFIT_TEST_PG_URL for PostgreSQL)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { openApp, closeApp } from '../dist/index.js';
import { runTick, workerId } from '../dist/pipeline/tick.js';
import { benchConfig } from './gen-events.mjs';

const ticks = Number(process.argv[2] ?? 30);
const MODELS = 100;
const PER_LINE = 10_000;

async function bench(store, label) {
  const dir = mkdtempSync(join(tmpdir(), 'refit-ticks-'));
  writeFileSync(join(dir, 'refit.yaml'), benchConfig(MODELS));
  const app = await openApp({
    cwd: dir,
    env: {},
    overrides: store ? { store } : { store: `sqlite:${join(dir, 'refit.db')}` },
  });
  const db = app.store.db;
  const n = MODELS * PER_LINE;
  const series =
    app.store.dialect === 'sqlite'
      ? sql`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${sql.lit(n)}) SELECT i FROM s`
      : sql`SELECT generate_series(0, ${sql.lit(n - 1)}) AS i`;
  await sql`INSERT INTO predictions (model, id, version, input, prediction, confidence, ts_ms, ingested_ms)
    SELECT 'm' || (i % ${sql.lit(MODELS)}), 'p-' || i, '3', '{"text":"x"}', 'ham', 0.9, ${sql.lit(Date.now() - 86_400_000)} + i, 0 FROM (${series}) s`.execute(
    db,
  );
  await sql`INSERT INTO feedback (model, prediction_id, label, reviewer_confidence, ts_ms, ingested_ms, outcome, version, matched_ms)
    SELECT model, id, CASE WHEN (CAST(substr(id, 3) AS INTEGER) / 100) % 20 = 0 THEN 'spam' ELSE 'ham' END, 0.95, ts_ms, 0, CASE WHEN (CAST(substr(id, 3) AS INTEGER) / 100) % 20 = 0 THEN 0 ELSE 1 END, '3', 0 FROM predictions`.execute(
    db,
  );
  await sql`INSERT INTO evidence_counters (model, bucket, misclassified, correct, examples, mark_misclassified, mark_correct, mark_examples)
    SELECT model, 95, SUM(1 - outcome), SUM(outcome), 0, 0, 0, 0 FROM feedback GROUP BY model`.execute(db);
  await sql`INSERT INTO accuracy_hourly (model, version, hour_ms, correct, total)
    SELECT model, version, (ts_ms / 3600000) * 3600000, SUM(outcome), COUNT(*) FROM feedback GROUP BY 1, 2, 3`.execute(
    db,
  );
  await sql`ANALYZE`.execute(db);
  const owner = workerId();
  const tick = async () => {
    // One tick: decide, advance due runs, housekeeping (what refit run and refit serve do).
    const { decisions: d } = await runTick(app, { dryRun: false, actor: 'bench', owner, advanceMs: 0 });
    const bad = d.outcomes.find((o) => o.error || o.decision.action === 'retrain');
    if (bad)
      throw new Error(`the bench expects no retrain and no error: ${bad.model} ${bad.error ?? bad.decision.reason}`);
  };
  await tick();
  let t = performance.now();
  for (let i = 0; i < ticks; i++) await tick();
  const tickMs = (performance.now() - t) / ticks;
  t = performance.now();
  for (let i = 0; i < ticks; i++)
    for (let m = 0; m < MODELS; m++)
      await sql`SELECT bucket, misclassified, correct, examples FROM evidence_counters WHERE model = ${'m' + m}`.execute(
        db,
      );
  const bareMs = (performance.now() - t) / ticks;
  const decisions = Number((await sql`SELECT COUNT(*) AS n FROM decisions`.execute(db)).rows[0].n);
  await closeApp(app);
  rmSync(dir, { recursive: true, force: true });
  return {
    store: label,
    lines: MODELS,
    reviewed_per_line: PER_LINE,
    tick_ms: +tickMs.toFixed(1),
    ticks_per_s: +(1000 / tickMs).toFixed(1),
    bare_reads_ms: +bareMs.toFixed(1),
    ratio: +(tickMs / bareMs).toFixed(1),
    decisions_recorded: decisions,
  };
}

const results = [await bench(null, 'sqlite')];
const pgUrl = process.env.REFIT_BENCH_PG_URL ?? process.env.REFIT_TEST_PG_URL;
if (pgUrl) {
  const dbName = `refit_ticks_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  try {
    const u = new URL(pgUrl);
    u.pathname = `/${dbName}`;
    results.push(await bench(u.toString(), 'postgres'));
  } finally {
    await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
console.table(results);
console.log(JSON.stringify({ bench: 'ticks', results }));
