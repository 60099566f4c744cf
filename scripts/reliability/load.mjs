// Load with faults: EVENTS prediction events POSTed to `refit serve` by CLIENTS concurrent
// clients in batches of BATCH, while the server is SIGKILLed and restarted KILLS times. A batch is
// acknowledged when the server answered 2xx; a client retries a batch the server did not answer.
// At the end the stored count must equal the acknowledged count (nothing lost, nothing twice).
// Prints the counts, events/s and the p50/p99 latency of acknowledged batches.
// The store is SQLite, or with REFIT_LOAD_PG=postgres://USER:PASS@HOST:PORT/DB a fresh database
// created on that server for the run (synchronous_commit on; dropped after).
// Usage: npm run build && node scripts/reliability/load.mjs [EVENTS=1000000] [KILLS=5] [CLIENTS=8] [BATCH=500]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

const [EVENTS = 1_000_000, KILLS = 5, CLIENTS = 8, BATCH = 500] = process.argv.slice(2).map(Number);
const TOKEN = 'load-ingest-token-0123456789';
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'refit-load-'));
const pgServer = process.env.REFIT_LOAD_PG;
const pgDatabase = `refit_load_${process.pid}`;
let store = '';
if (pgServer) {
  const admin = new pg.Client({ connectionString: pgServer });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pgDatabase}`);
  // Every acknowledged commit durable, as on a production server, whatever the server's default.
  await admin.query(`ALTER DATABASE ${pgDatabase} SET synchronous_commit = on`);
  await admin.end();
  const u = new URL(pgServer);
  u.pathname = `/${pgDatabase}`;
  store = `store: "${u}"\n`;
}
writeFileSync(
  join(dir, 'refit.yaml'),
  `${store}serve:\n  schedule: "0 0 1 1 *"\n  body_limit: 4194304\n  tokens:\n    - { token: "${TOKEN}", scopes: [ingest] }\nmodels:\n  spam:\n    labels: [ham, spam]\n`,
);
const port = 20000 + Math.floor(Math.random() * 20000);
const url = `http://127.0.0.1:${port}/v1/feedback`;

let server = null;
function start() {
  server = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--log-level', 'warn'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => server.stdout.once('data', resolve));
}

const batches = Math.ceil(EVENTS / BATCH);
let next = 0;
let acknowledged = 0;
let retries = 0;
const latencies = [];

function body(b) {
  const events = [];
  for (let i = b * BATCH; i < Math.min(EVENTS, (b + 1) * BATCH); i++)
    events.push({
      type: 'prediction',
      id: `p${i}`,
      model: 'spam',
      input: { text: `message ${i}` },
      prediction: i % 2 ? 'spam' : 'ham',
    });
  return { json: JSON.stringify(events), n: events.length };
}

async function client() {
  for (;;) {
    const b = next++;
    if (b >= batches) return;
    const { json, n } = body(b);
    for (;;) {
      const t = performance.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: json,
        });
        const answer = await res.json();
        if (res.ok) {
          latencies.push(performance.now() - t);
          acknowledged += n;
          if (answer.accepted + answer.duplicates !== n) throw new Error(`batch ${b}: ${JSON.stringify(answer)}`);
          break;
        }
        if (res.status < 500) throw new Error(`batch ${b}: ${res.status} ${JSON.stringify(answer)}`);
      } catch (err) {
        if (String(err.message).startsWith('batch')) throw err;
      }
      retries++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

await start();
const t0 = performance.now();
const clients = Array.from({ length: CLIENTS }, client);
let kills = 0;
const killer = (async () => {
  while (kills < KILLS && next < batches) {
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2500));
    if (next >= batches) break;
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    kills++;
    await start();
  }
})();
await Promise.all([...clients, killer]);
const seconds = (performance.now() - t0) / 1000;
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));

const stored = await countStored();
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1);
const result = {
  store: pgServer ? 'postgres' : 'sqlite',
  events: EVENTS,
  acknowledged,
  stored,
  kills,
  retries,
  seconds: +seconds.toFixed(1),
};
console.log(
  JSON.stringify({ ...result, eventsPerSecond: Math.round(acknowledged / seconds), p50ms: q(0.5), p99ms: q(0.99) }),
);
const ok = acknowledged === EVENTS && stored === EVENTS;
console.log(ok ? 'nothing lost, nothing twice' : 'MISMATCH: acknowledged and stored differ');
process.exit(ok ? 0 : 1);

async function countStored() {
  if (!pgServer) {
    const db = new Database(join(dir, '.refit', 'refit.db'), { readonly: true });
    const n = db.prepare('SELECT COUNT(*) AS n FROM predictions').get().n;
    db.close();
    return n;
  }
  const u = new URL(pgServer);
  u.pathname = `/${pgDatabase}`;
  const c = new pg.Client({ connectionString: String(u) });
  await c.connect();
  const n = Number((await c.query('SELECT COUNT(*) AS n FROM predictions')).rows[0].n);
  await c.end();
  const admin = new pg.Client({ connectionString: pgServer });
  await admin.connect();
  await admin.query(`DROP DATABASE ${pgDatabase}`);
  await admin.end();
  return n;
}
