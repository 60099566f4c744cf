// Ingest throughput: `refit ingest` (library call, NDJSON file → store) against a raw
// better-sqlite3 prepared-insert loop of the same rows (read + JSON.parse + insert, 1000 rows per
// transaction), side by side and alternating, median of REPEAT=3 runs each; then refit on
// PostgreSQL against raw pg multi-row inserts (one run each).
// Usage: node bench/ingest.mjs [PAIRS=100000]   (REFIT_BENCH_PG_URL for the PostgreSQL half)
import { mkdtempSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openApp, closeApp, ingestFiles } from '../dist/index.js';
import { writeEvents, benchConfig } from './gen-events.mjs';

const pairs = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'refit-bench-'));
const file = join(dir, 'events.ndjson');
const { rows } = await writeEvents(file, pairs);
writeFileSync(join(dir, 'refit.yaml'), benchConfig());

async function* lines() {
  for await (const l of createInterface({ input: createReadStream(file), crlfDelay: Infinity }))
    if (l) yield JSON.parse(l);
}

async function rawSqlite() {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE predictions (model TEXT, id TEXT, version TEXT, input TEXT, prediction TEXT, confidence REAL, ts_ms INTEGER, PRIMARY KEY (model, id));
           CREATE TABLE feedback (model TEXT, prediction_id TEXT, label TEXT, reviewer_confidence REAL, ts_ms INTEGER, PRIMARY KEY (model, prediction_id));`);
  const ip = db.prepare('INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?)');
  const ifb = db.prepare('INSERT INTO feedback VALUES (?, ?, ?, ?, ?)');
  const flush = db.transaction((batch) => {
    for (const e of batch) {
      if (e.type === 'prediction')
        ip.run(e.model, e.id, e.version, JSON.stringify(e.input), e.prediction, e.confidence, Date.parse(e.ts));
      else ifb.run(e.model, e.prediction_id, e.label, e.reviewer_confidence, Date.parse(e.ts));
    }
  });
  const t = performance.now();
  let batch = [];
  for await (const e of lines()) {
    batch.push(e);
    if (batch.length === 1000) (flush(batch), (batch = []));
  }
  flush(batch);
  const s = (performance.now() - t) / 1000;
  db.close();
  return s;
}

async function refitIngest(store) {
  const app = await openApp({ cwd: dir, env: {}, overrides: { store } });
  const t = performance.now();
  const r = await ingestFiles(app, [file]);
  const s = (performance.now() - t) / 1000;
  await closeApp(app);
  if (r.accepted !== rows) throw new Error(`accepted ${r.accepted} of ${rows}`);
  return s;
}

async function rawPg(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP TABLE IF EXISTS raw_p, raw_f; CREATE TABLE raw_p (model text, id text, version text, input text, prediction text, confidence float8, ts_ms bigint, PRIMARY KEY (model, id));
                 CREATE TABLE raw_f (model text, prediction_id text, label text, reviewer_confidence float8, ts_ms bigint, PRIMARY KEY (model, prediction_id));`);
  const flush = async (batch) => {
    const ps = batch.filter((e) => e.type === 'prediction');
    const fs = batch.filter((e) => e.type === 'feedback');
    await c.query('BEGIN');
    if (ps.length) {
      const v = [];
      const sql = ps
        .map(
          (e, i) => (
            v.push(e.model, e.id, e.version, JSON.stringify(e.input), e.prediction, e.confidence, Date.parse(e.ts)),
            `($${i * 7 + 1},$${i * 7 + 2},$${i * 7 + 3},$${i * 7 + 4},$${i * 7 + 5},$${i * 7 + 6},$${i * 7 + 7})`
          ),
        )
        .join(',');
      await c.query(`INSERT INTO raw_p VALUES ${sql}`, v);
    }
    if (fs.length) {
      const v = [];
      const sql = fs
        .map(
          (e, i) => (
            v.push(e.model, e.prediction_id, e.label, e.reviewer_confidence, Date.parse(e.ts)),
            `($${i * 5 + 1},$${i * 5 + 2},$${i * 5 + 3},$${i * 5 + 4},$${i * 5 + 5})`
          ),
        )
        .join(',');
      await c.query(`INSERT INTO raw_f VALUES ${sql}`, v);
    }
    await c.query('COMMIT');
  };
  const t = performance.now();
  let batch = [];
  for await (const e of lines()) {
    batch.push(e);
    if (batch.length === 1000) (await flush(batch), (batch = []));
  }
  await flush(batch);
  const s = (performance.now() - t) / 1000;
  await c.query('DROP TABLE raw_p, raw_f');
  await c.end();
  return s;
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const REPEAT = Number(process.env.REPEAT ?? 3);
const results = [];
const raws = [];
const ourss = [];
for (let i = 0; i < REPEAT; i++) {
  rmSync(join(dir, 'raw.db'), { force: true });
  rmSync(join(dir, 'raw.db-wal'), { force: true });
  raws.push(await rawSqlite());
  for (const f of ['refit.db', 'refit.db-wal', 'refit.db-shm']) rmSync(join(dir, f), { force: true });
  ourss.push(await refitIngest(`sqlite:${join(dir, 'refit.db')}`));
}
const raw = median(raws);
const ours = median(ourss);
results.push({
  store: 'sqlite',
  rows,
  refit_events_per_s: Math.round(rows / ours),
  baseline_events_per_s: Math.round(rows / raw),
  ratio: +(raw / ours).toFixed(2),
});

const pgUrl = process.env.REFIT_BENCH_PG_URL ?? process.env.REFIT_TEST_PG_URL;
if (pgUrl) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const name = `refit_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  const rawPgS = await rawPg(u.toString());
  const oursPg = await refitIngest(u.toString());
  results.push({
    store: 'postgres',
    rows,
    refit_events_per_s: Math.round(rows / oursPg),
    baseline_events_per_s: Math.round(rows / rawPgS),
    ratio: +(rawPgS / oursPg).toFixed(2),
  });
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}
console.table(results);
console.log(JSON.stringify({ bench: 'ingest', results }));
rmSync(dir, { recursive: true, force: true });
