// Promote and rollback latency (the atomic alias move with its history rows and the budget reset)
// on SQLite and PostgreSQL, against a bare single-row UPDATE of the same store as the baseline.
// Usage: node bench/promote.mjs [N=200]   (REFIT_BENCH_PG_URL or REFIT_TEST_PG_URL for PostgreSQL)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { openApp, closeApp } from '../dist/index.js';
import { promote, registerVersion, rollback } from '../dist/registry/registry.js';

const n = Number(process.argv[2] ?? 200);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p99 = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];

async function bench(store) {
  const dir = mkdtempSync(join(tmpdir(), 'refit-promote-'));
  writeFileSync(join(dir, 'refit.yaml'), 'models:\n  m: {}\n');
  mkdirSync(join(dir, 'art'));
  writeFileSync(join(dir, 'art', 'model.json'), '{}');
  const app = await openApp({ cwd: dir, env: {}, overrides: store ? { store } : {} });
  for (let i = 0; i < 2; i++)
    await registerVersion(app, { model: 'm', artifactPath: join(dir, 'art'), actor: 'bench' });
  const promoteMs = [];
  const rollbackMs = [];
  const bareMs = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await promote(app, 'm', (i % 2) + 1, 'bench', 'bench');
    promoteMs.push(performance.now() - t);
    if (i % 2 === 1) {
      t = performance.now();
      await rollback(app, 'm', 'bench', 'bench');
      rollbackMs.push(performance.now() - t);
    }
    t = performance.now();
    await sql`UPDATE model_lines SET lock_version = lock_version + 1 WHERE name = 'm'`.execute(app.store.db);
    bareMs.push(performance.now() - t);
  }
  await closeApp(app);
  rmSync(dir, { recursive: true, force: true });
  return {
    promote_p50_ms: +median(promoteMs).toFixed(2),
    promote_p99_ms: +p99(promoteMs).toFixed(2),
    rollback_p50_ms: +median(rollbackMs).toFixed(2),
    bare_update_p50_ms: +median(bareMs).toFixed(3),
  };
}

const results = [{ store: 'sqlite', ...(await bench(null)) }];
const pgUrl = process.env.REFIT_BENCH_PG_URL ?? process.env.REFIT_TEST_PG_URL;
if (pgUrl) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const name = `refit_promote_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  results.push({ store: 'postgres', ...(await bench(u.toString())) });
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}
console.table(results);
console.log(JSON.stringify({ bench: 'promote', results }));
