// The dashboard's overview in Chromium against a populated project: LINES model lines, 1,000 runs,
// 200 versions and DAYS days of reviewed predictions. Measures the time from navigation to the
// content (every line's card and the latest runs drawn), the API requests one load makes (they must
// grow with the model lines only), and, as the baseline side by side, a bare static page served by
// the same server. Median of 7 loads after one warm-up.
// Usage: npm run build && node bench/dashboard.mjs [LINES=20] [DAYS=30]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { closeApp, openApp } from '../dist/index.js';
import { startService } from '../dist/service/service.js';
import { writeEventBatch } from '../dist/stores/evidence.js';
import { saveModel, trainModel } from '../dist/ml/train/model.js';
import { promote, registerVersion } from '../dist/registry/registry.js';

const LINES = Number(process.argv[2] ?? 20);
const DAYS = Number(process.argv[3] ?? 30);
const RUNS = 1000;
const VERSIONS = 200;
const TOKEN = 'bench-read-token-0123456789';
const DAY = 86_400_000;
const LOADS = 7;

const names = Array.from({ length: LINES }, (_, i) => `line-${String(i).padStart(2, '0')}`);
const dir = mkdtempSync(join(tmpdir(), 'refit-dash-bench-'));
const models = names.map((n) => `  ${n}:\n    labels: [ham, spam]\n`).join('');
const tokens = `    - { token: "${TOKEN}", scopes: [read] }\n`;
writeFileSync(join(dir, 'refit.yaml'), `serve:\n  schedule: "0 0 1 1 *"\n  tokens:\n${tokens}models:\n${models}`);
const app = await openApp({ cwd: dir, env: {} });
// One small real model, registered as every version: the server loads each champion to serve it.
const artifact = join(dir, 'model.json');
const rows = Array.from({ length: 40 }, (_, i) => ({
  input: { text: i % 2 ? 'win a prize' : 'notes' },
  label: i % 2 ? 'spam' : 'ham',
}));
saveModel(trainModel(rows, 'text-classification', { maxIter: 5, minDf: 1 }), artifact);
const now = Date.now();

async function populate() {
  const db = app.store.db;
  for (const [li, model] of names.entries()) {
    const perLine = Math.round(VERSIONS / LINES);
    for (let v = 0; v < perLine; v++) {
      const metrics = { accuracy: 0.8 + 0.01 * v, f1_macro: 0.78 + 0.01 * v };
      const rest = { datasetTag: `v${v}`, metrics, lineage: { executor: 'builtin' } };
      await registerVersion(app, { model, artifactPath: artifact, actor: 'bench', ...rest });
    }
    await promote(app, model, perLine, 'bench', 'bench');
    const runs = Array.from({ length: RUNS / LINES }, (_, r) => {
      const at = now - r * 3_600_000 - li;
      const state = r === 0 ? 'waiting' : r % 7 === 0 ? 'failed' : 'succeeded';
      const base = { id: `run_${model}_${r}`, model, state, reason: 'misclassified >= 45', decision_id: null };
      const times = { created_ms: at, updated_ms: at, started_ms: at, finished_ms: r === 0 ? null : at + 60_000 };
      const rest = { forced: 0, actor: 'bench', error: null, lease_owner: null, lease_until_ms: null };
      return { ...base, ...times, ...rest, next_check_ms: null, outcome: `${state} (bench)` };
    });
    await db.insertInto('runs').values(runs).execute();
    const events = [];
    for (let d = 0; d < DAYS; d++)
      for (let k = 0; k < 20; k++) {
        const id = `${model}-${d}-${k}`;
        const tsMs = now - (DAYS - d) * DAY + k * 60_000;
        const prediction = { type: 'prediction', id, model, version: String(perLine), input: { text: id } };
        events.push({ ...prediction, prediction: 'spam', confidence: 0.9, tsMs });
        const label = k % 10 === 0 ? 'ham' : 'spam';
        events.push({ type: 'feedback', predictionId: id, model, label, reviewerConfidence: 0.9, tsMs });
      }
    await writeEventBatch(app.store, events, now);
  }
}

const t0 = performance.now();
await populate();
console.log(
  `populated ${LINES} lines, ${RUNS} runs, ${VERSIONS} versions, ${DAYS} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const svc = await startService(app, { port: 0 });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function overviewOnce() {
  const page = await browser.newPage();
  await page.goto(svc.url + '/');
  await page.evaluate((t) => sessionStorage.setItem('refit-token', t), TOKEN);
  const api = [];
  page.on('request', (r) => r.url().includes('/v1/') && api.push(new URL(r.url()).pathname));
  const t = performance.now();
  await page.reload();
  await page.waitForFunction(
    (n) => document.querySelectorAll('section.card').length === n && document.querySelectorAll('tbody tr').length > 0,
    LINES,
    { timeout: 30_000 },
  );
  const ms = performance.now() - t;
  await page.close();
  return { ms, requests: api.length };
}

async function bareOnce() {
  const page = await browser.newPage();
  const t = performance.now();
  await page.goto(svc.url + '/healthz');
  await page.waitForFunction(() => document.body.innerText.includes('ok'));
  const ms = performance.now() - t;
  await page.close();
  return ms;
}

await overviewOnce();
await bareOnce();
const overview = [];
const bare = [];
for (let i = 0; i < LOADS; i++) {
  overview.push(await overviewOnce());
  bare.push(await bareOnce());
}
const o = median(overview.map((x) => x.ms));
const b = median(bare);
console.log(`overview time to content: median ${o.toFixed(0)} ms over ${LOADS} loads (goal < 1000 ms)`);
console.log(`bare page from the same server: median ${b.toFixed(0)} ms → ratio ${(o / b).toFixed(1)}x`);
console.log(`API requests per overview load: ${overview[0].requests} (${LINES} lines)`);
await browser.close();
await svc.stop();
await closeApp(app);
