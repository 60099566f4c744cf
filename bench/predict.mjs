// Prediction serving: throughput and latency of refit's POST /v1/models/:model/predict (the
// champion, a built-in text model, every prediction logged to SQLite) against a bare fastify
// handler that returns a constant, both in their own process, driven by autocannon from this one;
// plus the in-process predict latency of the loaded model.
// Usage: node bench/predict.mjs [SECONDS=10] [CONNECTIONS=32]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openApp, closeApp } from '../dist/index.js';
import { promote, registerVersion } from '../dist/registry/registry.js';
import { saveModel, trainModel } from '../dist/ml/train/model.js';
import { loadPredictor } from '../dist/serving/predictor.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);
const TOKEN = 'bench-token-0123456789abcdef';
const words = [
  'invoice',
  'meeting',
  'offer',
  'free',
  'winner',
  'project',
  'lunch',
  'urgent',
  'prize',
  'report',
  'click',
  'schedule',
];
const text = (i) => Array.from({ length: 12 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'refit-predict-'));
writeFileSync(
  join(dir, 'refit.yaml'),
  `serve:\n  schedule: "0 0 1 1 *"\n  tokens:\n    - { token: "${TOKEN}", scopes: [predict] }\nmodels:\n  spam:\n    labels: [ham, spam]\n`,
);
const app = await openApp({ cwd: dir, env: {} });
const rows = Array.from({ length: 2000 }, (_, i) => ({
  input: { text: text(i) },
  label: i % 3 === 0 ? 'spam' : 'ham',
}));
mkdirSync(join(dir, 'model'));
saveModel(trainModel(rows, 'text-classification', { maxIter: 30 }), join(dir, 'model', 'model.json'));
await registerVersion(app, { model: 'spam', artifactPath: join(dir, 'model'), actor: 'bench' });
await promote(app, 'spam', 1, 'bench', 'bench');

// In-process: one input per call through the loaded predictor.
const predictor = await loadPredictor(app, app.config.models.spam, 1);
const lat = [];
for (let i = 0; i < 20000; i++) {
  const t = performance.now();
  await predictor.predict([{ text: text(i) }]);
  lat.push(performance.now() - t);
}
lat.sort((a, b) => a - b);
const inproc = {
  p50_us: Math.round(lat[lat.length >> 1] * 1000),
  p99_us: Math.round(lat[Math.floor(lat.length * 0.99)] * 1000),
};
await closeApp(app);

function start(args, port, env = {}) {
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('listening')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}
const bare = `const f = require(${JSON.stringify(new URL('../node_modules/fastify/fastify.js', import.meta.url).pathname)})({ logger: false });
f.post('/predict', async () => ({ predictions: [{ id: 'x', prediction: 'ham', confidence: 0.9 }] }));
f.listen({ port: 18082, host: '127.0.0.1' }).then(() => console.log('listening'));`;

async function load(url, headers) {
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ input: { text: text(1) } }),
  });
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

const bareProc = await start(['-e', bare], 18082);
const baseline = await load('http://127.0.0.1:18082/predict', {});
bareProc.kill('SIGTERM');
const refitProc = await start(
  [new URL('../dist/cli/main.js', import.meta.url).pathname, 'serve', '--port', '18081', '--log-level', 'warn'],
  18081,
);
const served = await load('http://127.0.0.1:18081/v1/models/spam/predict', { authorization: `Bearer ${TOKEN}` });
refitProc.kill('SIGTERM');
await new Promise((r) => refitProc.on('exit', r));

const result = {
  connections,
  seconds,
  refit: served,
  bare_fastify: baseline,
  throughput_ratio: +(served.rps / baseline.rps).toFixed(2),
  in_process_predict: inproc,
};
console.table([
  { server: 'refit predict', ...served },
  { server: 'bare fastify constant', ...baseline },
]);
console.log(JSON.stringify({ bench: 'predict', result }));
rmSync(dir, { recursive: true, force: true });
