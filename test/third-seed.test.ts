/**
 * The third seed's flow, end to end, against a local server shaped after the Hugging Face Hub:
 * misclassification counts read from the user's own database decide per label (department over
 * its threshold, urgency under); the dataset-preparation Space is restarted once; refit polls the
 * label's dataset_metadata.json until a new version with the decision's dataset_len appears (a
 * too-small version is not taken); the version's split files are fetched and verified; only that
 * label's retrain Space is restarted (it reads REFIT_DATASET, trains, and pushes a model in its
 * own format); refit scores the candidate with the line's predict command on the version's test
 * split, gates, registers and deploys it — on SQLite and PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/ports/clock.js';
import { FakeHub } from './helpers/fake-hub.js';
import { cli, project } from './helpers/project.js';
import { adminQuery, DIALECTS, freshStoreUrl, tempDir, type DialectName, type TestStoreUrl } from './helpers/stores.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const S = 1000;
const PREDICT = fileURLToPath(new URL('./fixtures/keyword-model/predict.mjs', import.meta.url));
const DEPARTMENTS = ['billing', 'sales', 'tech'];
const WORDS: Record<string, string[]> = {
  billing: ['invoice', 'refund', 'charge', 'payment', 'bill'],
  sales: ['quote', 'pricing', 'demo', 'discount', 'purchase'],
  tech: ['error', 'crash', 'login', 'server', 'bug'],
};

/** A version as a preparer publishes it: split files under <tag>/ and the metadata (with the hash). */
function preparedVersion(tag: string, n: number): Record<string, string> {
  const rows = Array.from({ length: n }, (_, i) => {
    const label = DEPARTMENTS[i % 3]!;
    const w = WORDS[label]!;
    const text = `ticket ${i}: ${w[i % 5]} ${w[(i + 2) % 5]} please help`;
    return JSON.stringify({ id: `t${i}`, input: { text }, label });
  });
  const cut = (a: number, b: number) => rows.slice(a, b).join('\n') + (b > a ? '\n' : '');
  const nTrain = Math.round(n * 0.7);
  const nEval = Math.round(n * 0.1);
  const files = { train: cut(0, nTrain), eval: cut(nTrain, nTrain + nEval), test: cut(nTrain + nEval, n) };
  const sha = createHash('sha256').update(files.train).update(files.eval).update(files.test).digest('hex');
  const metadata = {
    dataset_name: 'owner/department-data',
    version_tag: tag,
    num_samples: n,
    splits: { train: nTrain, eval: nEval, test: n - nTrain - nEval },
    created_at: new Date(T0).toISOString(),
    content_sha256: sha,
  };
  return {
    [`${tag}/train.jsonl`]: files.train,
    [`${tag}/eval.jsonl`]: files.eval,
    [`${tag}/test.jsonl`]: files.test,
    'dataset_metadata.json': JSON.stringify(metadata),
  };
}

/** What the retrain Space does: read its REFIT_DATASET version from the Hub, count words per label, push model.json. */
function retrainSpace(hub: FakeHub, datasetRepo: string, modelRepo: string, space: string): void {
  const tag = hub.variables.get(space)!.REFIT_DATASET!;
  const train = hub.file(`datasets/${datasetRepo}`, `${tag}/train.jsonl`)!;
  const counts: Record<string, Record<string, number>> = {};
  for (const line of train.split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { input: { text: string }; label: string };
    const c = (counts[r.label] ??= {});
    for (const w of r.input.text.toLowerCase().split(/\W+/)) c[w] = (c[w] ?? 0) + 1;
  }
  const model = { format: 'keyword-counts/1', labels: Object.keys(counts).sort(), counts };
  hub.publishModel(modelRepo, { 'model.json': JSON.stringify(model), 'README.md': `trained on ${tag}\n` });
}

/** The user's own reviews database, where the seed's SQL COUNT reads misclassifications. */
async function reviewsDb(dialect: DialectName, cleanup: TestStoreUrl[]): Promise<string> {
  const rows = [
    ...Array.from({ length: 50 }, () => "('department', 'billing', 'tech')"),
    ...Array.from({ length: 10 }, () => "('urgency', 'high', 'low')"),
  ].join(', ');
  const ddl = 'CREATE TABLE reviews (task TEXT, predicted TEXT, corrected TEXT)';
  if (dialect === 'sqlite') {
    const file = join(tempDir(), 'reviews.db');
    const db = new BetterSqlite3(file);
    db.exec(`${ddl}; INSERT INTO reviews VALUES ${rows}`);
    db.close();
    return `sqlite:${file}`;
  }
  const u = await freshStoreUrl('postgres');
  cleanup.push(u);
  const name = new URL(u.url).pathname.slice(1);
  await adminQuery(ddl, [], name);
  await adminQuery(`INSERT INTO reviews VALUES ${rows}`, [], name);
  return u.url;
}

const line = (task: string, threshold: number, count: string) => `
  ${task}:
    labels: ${task === 'department' ? '[billing, sales, tech]' : '[high, low]'}
    evidence:
      external_count:
        url: \${REVIEWS_DB_URL}
        query: ${count}
    triggers:
      rules:
        - { signal: external_count, op: ">=", value: ${threshold} }
    prepare:
      kind: hf-space
      space: owner/prepare-dataset
      token: \${HF_TOKEN}
      metadata: { dataset: owner/${task}-data }
      poll: { interval: 30s, timeout: 30m }
    train:
      executor: hf-space
      hf_space: { space: owner/retrain-${task}, model_repo: owner/${task}-model, token: "\${HF_TOKEN}", poll: 30s }
      predict_command: ["${process.execPath}", "${PREDICT}"]
    gate:
      - { metric: f1_macro, min: 0.6 }
    deploy:
      verify: { sanity_requests: 3 }
`;

const config = (hubUrl: string) => `
hub_url: ${hubUrl}
secrets: [HF_TOKEN]
models:${line('department', 40, "SELECT count(*) FROM reviews WHERE task = 'department' AND predicted <> corrected")}${line('urgency', 30, "SELECT count(*) FROM reviews WHERE task = 'urgency' AND predicted <> corrected")}`;

describe.each(DIALECTS)("the third seed's flow (%s)", (dialect) => {
  let hub: FakeHub;
  const cleanup: TestStoreUrl[] = [];
  beforeEach(async () => {
    hub = await new FakeHub().start();
  });
  afterEach(async () => {
    await hub.stop();
    for (const c of cleanup.splice(0)) await c.cleanup();
  });

  it('prepare Space restarted once, polled to the decision size, only that label retrained, evaluated by refit, deployed', async () => {
    const store = await freshStoreUrl(dialect);
    cleanup.push(store);
    const env = { REVIEWS_DB_URL: await reviewsDb(dialect, cleanup), HF_TOKEN: hub.token, REFIT_STORE: store.url };
    const dir = project(config(hub.url));
    const clock = new ManualClock(T0);
    const run = async (...args: string[]) => {
      const r = await cli(['run', '--json', ...args], { cwd: dir, env, clock });
      return { ...r, json: r.stdout ? JSON.parse(r.stdout) : null };
    };
    // Before anything: version v1 of the department dataset is already on the Hub.
    hub.publishDataset('owner/department-data', preparedVersion('v20261101_000000', 30));
    hub.onRestart = (space) => {
      if (space === 'owner/retrain-department') hub.stage = 'RUNNING';
    };

    // Tick 1: department 50 >= 40 retrains; urgency 10 < 30 skips. The prepare Space is restarted.
    const t1 = await run();
    expect(t1.code, t1.stderr).toBe(0);
    const outcomes = Object.fromEntries(t1.json.outcomes.map((o: { model: string }) => [o.model, o]));
    expect(outcomes.department.decision.action).toBe('retrain');
    expect(outcomes.department.decision.signals).toMatchObject({ external_count: 50, dataset_len: 100 });
    expect(outcomes.urgency.decision.action).toBe('skip');
    expect(outcomes.urgency.decision.reason).toContain('external_count 10');
    expect(hub.count('POST', '/api/spaces/owner/prepare-dataset/restart')).toBe(1);
    const runId = t1.json.runs[0].runId;
    expect(t1.json.runs).toEqual([expect.objectContaining({ model: 'department', state: 'waiting' })]);

    // The preparer publishes a 5-row version first: not enough for dataset_len 100, still waiting.
    hub.publishDataset('owner/department-data', preparedVersion('v20261122_100500', 5));
    clock.advance(30 * S);
    const t2 = await run();
    expect(t2.json.runs[0].state).toBe('waiting');
    expect(t2.json.runs[0].outcome).toContain('version v20261122_100500 has 5 samples, fewer than 100');

    // Then the real one: 120 rows. refit fetches its split files and restarts only department's retrain Space.
    hub.publishDataset('owner/department-data', preparedVersion('v20261122_101000', 120));
    clock.advance(30 * S);
    const t3 = await run();
    expect(t3.json.runs[0]).toMatchObject({ state: 'waiting', outcome: 'remote hf-space job submitted' });
    expect(hub.variables.get('owner/retrain-department')).toMatchObject({
      REFIT_KEY: runId,
      REFIT_MODEL: 'department',
      REFIT_DATASET: 'v20261122_101000',
    });
    expect(hub.count('POST', '/api/spaces/owner/retrain-department/restart')).toBe(1);
    expect(hub.count('POST', '/api/spaces/owner/retrain-urgency/restart')).toBe(0);
    expect(hub.count('POST', '/api/spaces/owner/prepare-dataset/restart')).toBe(1);

    // The retrain Space trains on that version and pushes its model; refit scores it with the predict command.
    retrainSpace(hub, 'owner/department-data', 'owner/department-model', 'owner/retrain-department');
    clock.advance(30 * S);
    const t4 = await run();
    expect(t4.code, t4.stdout + t4.stderr).toBe(0);
    expect(t4.json.runs[0]).toMatchObject({ state: 'succeeded', model: 'department' });
    expect(t4.json.runs[0].outcome).toMatch(
      /^department v1 retrained on v20261122_101000 and deployed: f1_macro 1\.000/,
    );

    const shown = await cli(['runs', 'show', runId, '--json'], { cwd: dir, env, clock });
    const steps = JSON.parse(shown.stdout).steps.map((s: { step: string }) => s.step);
    expect(steps).toEqual([
      'prepare',
      'fetch-dataset',
      'validate',
      'train',
      'evaluate',
      'gate',
      'register',
      'deploy',
      'verify',
      'notify',
    ]);
    const models = JSON.parse((await cli(['models', 'department', '--json'], { cwd: dir, env, clock })).stdout);
    expect(models).toEqual([
      expect.objectContaining({ version: 1, aliases: ['champion'], datasetTag: 'v20261122_101000' }),
    ]);
    expect(models[0].lineage).toMatchObject({ run: runId, dataset: 'v20261122_101000', executor: 'hf-space' });
    // refit's own numbers, on the version's test split (24 of its 120 rows), not the Space's.
    expect(models[0].metrics).toMatchObject({ task: 'classification', n: 24, f1_macro: 1 });

    // The served champion answers through the predict command (the Space's model.json is not refit's format).
    const datasets = JSON.parse((await cli(['datasets', 'department', '--json'], { cwd: dir, env, clock })).stdout);
    expect(datasets[0]).toMatchObject({ tag: 'v20261122_101000', numSamples: 120 });
    expect(datasets[0].location).toContain(join('datasets', 'department', 'v20261122_101000'));

    // An ad hoc training on the external version works too: the retrain Space gets its tag and publishes.
    hub.onRestart = (space) => {
      if (space === 'owner/retrain-department')
        retrainSpace(hub, 'owner/department-data', 'owner/department-model', space);
    };
    const adhoc = await cli(['train', 'department', '--dataset', 'v20261122_101000', '--json'], {
      cwd: dir,
      env,
      clock,
    });
    expect(adhoc.code, adhoc.stderr).toBe(0);
    expect(JSON.parse(adhoc.stdout).job).toMatchObject({ datasetTag: 'v20261122_101000', state: 'succeeded' });
  }, 120_000);

  const webhookLine = (hubUrl: string) => `
hub_url: ${hubUrl}
models:
  department:
    labels: [billing, sales, tech]
    triggers: { rules: [{ signal: external_count, op: ">=", value: 40 }] }
    evidence:
      external_count: { url: "\${REVIEWS_DB_URL}", query: "SELECT count(*) FROM reviews WHERE task = 'department'" }
    prepare:
      kind: webhook
      url: ${hubUrl}/webhook/prepare
      token: "\${HF_TOKEN}"
      metadata: { dataset: owner/department-data }
      poll: { interval: 30s }
    gate: [{ metric: accuracy, min: 0.5 }]
`;

  it('an external version trains on the built-in trainer from its fetched files; a corrupted upload fails the run', async () => {
    const store = await freshStoreUrl(dialect);
    cleanup.push(store);
    const env = { REVIEWS_DB_URL: await reviewsDb(dialect, cleanup), HF_TOKEN: hub.token, REFIT_STORE: store.url };
    const dir = project(webhookLine(hub.url));
    const clock = new ManualClock(T0);
    const run = async () => JSON.parse((await cli(['run', '--json'], { cwd: dir, env, clock })).stdout);
    expect((await run()).runs[0].state).toBe('waiting'); // the webhook was called
    expect(hub.requests.filter((r) => r.path === '/webhook/prepare')).toHaveLength(1);
    hub.publishDataset('owner/department-data', preparedVersion('v20261122_110000', 120));
    clock.advance(30 * S);
    const done = (await run()).runs[0];
    expect(done).toMatchObject({ state: 'succeeded' });
    expect(done.outcome).toMatch(/^department v1 retrained on v20261122_110000/);

    // A second version whose files do not match its content_sha256 is refused before training.
    const bad = preparedVersion('v20261122_120000', 120);
    bad['v20261122_120000/test.jsonl'] += '{"id":"x","input":{"text":"tampered"},"label":"tech"}\n';
    const force = await cli(['run', '--force', 'department', '--json'], { cwd: dir, env, clock });
    expect(JSON.parse(force.stdout).runs[0].state).toBe('waiting');
    hub.publishDataset('owner/department-data', bad);
    clock.advance(30 * S);
    const failed = await cli(['run', '--json'], { cwd: dir, env, clock });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).runs[0]).toMatchObject({
      state: 'failed',
      outcome: expect.stringMatching(/dataset v20261122_120000 .*sha256 [0-9a-f]{64} differs from content_sha256/),
    });
  }, 60_000);
});
