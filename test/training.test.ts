/**
 * Training jobs: the built-in trainer in a worker thread (text and tabular, deterministic), the
 * command executor with the scikit-learn example (Debian's python3-sklearn), failure paths
 * (non-zero exit, timeout with no process left behind, a missing dataset), and tracking.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import type { AppContext } from '../src/app-context.js';
import { buildDataset } from '../src/datasets/build.js';
import { loadModel, predict, trainModel } from '../src/ml/train/model.js';
import { writeEventBatch } from '../src/stores/evidence.js';
import { readTestRows, scoreOn } from '../src/training/evaluate-on-test.js';
import { runLocalTraining, TrainingFailedError } from '../src/training/local-training.js';
import { findDataset, latestDataset } from '../src/stores/datasets.js';

/** A local training job on the line's latest dataset version. */
async function runTraining(a: AppContext, model: string, opts: { key?: string } = {}) {
  const dataset = (await latestDataset(a.store, model))!;
  return runLocalTraining(a, a.config.models[model]!, { dataset, key: opts.key });
}

/** refit's evaluation of a trained model on its dataset version's test split. */
async function evaluateOnTest(a: AppContext, model: string, outputDir: string, tag: string) {
  const dir = (await findDataset(a.store, model, { tag }))!.location;
  return (await scoreOn(a, a.config.models[model]!, outputDir, readTestRows(dir), 'test')).metrics;
}
import type { RefitEvent } from '../src/core/glossary.js';
import { cli, project } from './helpers/project.js';
import { HAS_SKLEARN } from './helpers/python.js';

const SPAMMY = [
  'win a free prize now',
  'cheap meds online no prescription',
  'claim your cash reward today',
  'hot deal click here to buy',
];
const HAMMY = [
  'meeting notes for thursday attached',
  'please review the quarterly report',
  'lunch with the team on friday',
  'your invoice for november is ready',
];

function events(n: number): RefitEvent[] {
  const out: RefitEvent[] = [];
  for (let i = 0; i < n; i++) {
    const spam = i % 2 === 0;
    const text = `${(spam ? SPAMMY : HAMMY)[i % 4]} ${spam ? 'offer' : 'regards'} number ${i}`;
    out.push({
      type: 'example',
      id: `e${i}`,
      model: 'spam',
      input: { text },
      label: spam ? 'spam' : 'ham',
      tsMs: Date.parse('2026-11-22T00:00:00Z') + i,
    });
  }
  return out;
}

const apps: AppContext[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await closeApp(a);
});

async function appWith(yaml: string, files: Record<string, string> = {}): Promise<AppContext> {
  const a = await openApp({ cwd: project(yaml, files), env: {} });
  apps.push(a);
  await writeEventBatch(a.store, events(120), Date.now());
  await buildDataset(a, 'spam');
  return a;
}

describe('built-in trainer', () => {
  it('trains text classification off the main thread, tracks the job, and refit evaluates it', async () => {
    const a = await appWith('models:\n  spam:\n    labels: [ham, spam]\n    train: { params: { C: 5 } }\n');
    const job = await runTraining(a, 'spam', { key: 'run_1' });
    expect(job).toMatchObject({ state: 'succeeded', executor: 'builtin', params: { C: 5 } });
    expect(job.logs).toMatch(/training text-classification on \d+ rows\niteration 1 of at most \d+: loss/);
    expect(job.reportedMetrics).toMatchObject({ rows: expect.any(Number), iterations: expect.any(Number) });
    expect(existsSync(join(job.outputDir, 'model.json'))).toBe(true);
    const again = await runTraining(a, 'spam', { key: 'run_1' });
    expect(again.id).toBe(job.id); // idempotent by key
    const m = await evaluateOnTest(a, 'spam', job.outputDir, job.datasetTag);
    expect(m.task).toBe('classification');
    expect((m as { accuracy: number }).accuracy).toBe(1);
  });

  it('is deterministic and its probabilities are usable; tabular classification and regression work', () => {
    const rows = events(60).map((e) => ({
      input: (e as { input: Record<string, unknown> }).input,
      label: (e as { label: string }).label,
    }));
    const a = trainModel(rows, 'text-classification');
    const b = trainModel(rows, 'text-classification');
    expect(a.w).toEqual(b.w);
    const p = predict(a, [{ text: 'claim your free prize now' }, { text: 'quarterly report review' }]);
    expect(p.map((x) => x.prediction)).toEqual(['spam', 'ham']);
    expect(p[0]!.proba.spam! + p[0]!.proba.ham!).toBeCloseTo(1, 12);
    const weather = Array.from({ length: 200 }, (_, i) => ({
      input: { temp: 10 + (i % 20), wind: (i * 7) % 10, sky: i % 3 === 0 ? 'clear' : 'cloudy', date: `2026-01-${i}` },
      label: 10 + (i % 20) > 20 ? 'warm' : 'cold',
    }));
    const tab = trainModel(weather, 'tabular-classification');
    expect(tab.featurizer).toMatchObject({ kind: 'tabular', excluded: ['date'] });
    expect(
      predict(tab, [
        { temp: 28, wind: 1, sky: 'clear' },
        { temp: 11, wind: 1, sky: 'clear' },
      ]).map((x) => x.prediction),
    ).toEqual(['warm', 'cold']);
    const reg = trainModel(
      weather.map((r) => ({ input: r.input, label: String(2 * Number(r.input.temp) + 1) })),
      'tabular-regression',
      { C: 1e6 },
    );
    expect(predict(reg, [{ temp: 15, wind: 0, sky: 'clear' }])[0]!.value).toBeCloseTo(31, 0);
  });

  it('a categorical value named like an Object property is a value like any other', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      input: { kind: i % 2 ? 'constructor' : '__proto__' },
      label: i % 2 ? 'a' : 'b',
    }));
    const m = trainModel(rows, 'tabular-classification');
    expect(Object.keys((m.featurizer as { categorical: { values: object }[] }).categorical[0]!.values).sort()).toEqual([
      '__proto__',
      'constructor',
    ]);
    expect(
      predict(m, [{ kind: 'constructor' }, { kind: '__proto__' }, { kind: 'toString' }]).map((p) => p.prediction),
    ).toEqual(['a', 'b', expect.any(String)]);
  });

  it('a dataset with one class is a clear failure recorded with the job', async () => {
    const a = await openApp({ cwd: project('models:\n  spam: {}\n'), env: {} });
    apps.push(a);
    await writeEventBatch(
      a.store,
      events(20).filter((e) => (e as { label: string }).label === 'ham'),
      Date.now(),
    );
    await buildDataset(a, 'spam');
    const err = await runTraining(a, 'spam').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingFailedError);
    expect((err as TrainingFailedError).job).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('one class only'),
    });
  });
});

describe('command executor', () => {
  it('a failing command fails the job with its last lines; a timeout kills the whole process group', async () => {
    const failing = await appWith(
      'models:\n  spam:\n    train:\n      executor: command\n      command: ["/bin/sh", "-c", "echo starting; echo boom >&2; exit 3"]\n      predict_command: ["/bin/true"]\n',
    );
    const err = (await runTraining(failing, 'spam').catch((e: unknown) => e)) as TrainingFailedError;
    expect(err.job.error).toBe('/bin/sh exited with 3: starting | boom');
    expect(err.job.logs).toContain('boom');

    const marker = `refit-orphan-${process.pid}-${Date.now()}`;
    const slow = await appWith(
      `models:\n  spam:\n    train:\n      executor: command\n      command: ["/bin/sh", "-c", "sleep 30 & sleep 30; echo ${marker}"]\n      predict_command: ["/bin/true"]\n      timeout: 500ms\n`,
    );
    const t0 = Date.now();
    const timeout = (await runTraining(slow, 'spam').catch((e: unknown) => e)) as TrainingFailedError;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(timeout.job.error).toContain('did not finish within 500 ms; its process group was killed');
    await new Promise((r) => setTimeout(r, 200));
    const left = execFileSync('ps', ['-eo', 'pid,args'])
      .toString()
      .split('\n')
      .filter((l) => l.includes(marker) && !l.includes('ps -eo'));
    expect(left).toEqual([]);
  });

  it.skipIf(!HAS_SKLEARN && process.env.CI !== 'true')(
    'the scikit-learn example trains, predicts and registers end to end',
    async () => {
      const dir = project('models: {}\n');
      cpSync(new URL('../examples/sklearn-trainer', import.meta.url).pathname, dir, { recursive: true });
      const rows = events(200);
      writeFileSync(
        join(dir, 'events.ndjson'),
        rows
          .map((e) =>
            JSON.stringify({
              type: 'example',
              id: (e as { id: string }).id,
              model: 'spam',
              input: (e as { input: object }).input,
              label: (e as { label: string }).label,
            }),
          )
          .join('\n'),
      );
      expect((await cli(['ingest', 'events.ndjson'], { cwd: dir })).code).toBe(0);
      expect((await cli(['datasets', 'build', 'spam'], { cwd: dir })).code).toBe(0);
      const r = await cli(['train', 'spam', '--register', '--json'], { cwd: dir });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.job).toMatchObject({
        executor: 'command',
        state: 'succeeded',
        reportedMetrics: { train_accuracy: expect.any(Number) },
      });
      expect(out.metrics.accuracy).toBeGreaterThan(0.9);
      expect(out.version).toMatchObject({ version: 1, lineage: { executor: 'command', training_job: out.job.id } });
      expect(
        readFileSync(join(dir, '.refit', 'artifacts', 'models', 'spam', 'v1', 'model', 'metrics.json'), 'utf8'),
      ).toContain('train_accuracy');
    },
    120_000,
  );
});

describe('loadModel', () => {
  it('refuses a file that is not a built-in model', () => {
    const dir = project('models: {}\n', { 'x.json': '{"format":"other"}' });
    expect(() => loadModel(join(dir, 'x.json'))).toThrow(/is not a refit built-in model/);
  });

  it('loads a format-1 model (text columns as a bucket → column map) with the same predictions', () => {
    const rows = events(60).map((e) => ({
      input: (e as { input: Record<string, unknown> }).input,
      label: (e as { label: string }).label,
    }));
    const model = trainModel(rows, 'text-classification');
    expect(model.format).toBe('refit-linear/2');
    const { buckets, ...rest } = model.featurizer as { buckets: number[] };
    const columns = Object.fromEntries(buckets.map((b, c) => [String(b), c]));
    const dir = project('models: {}\n', {
      'v1.json': JSON.stringify({ ...model, format: 'refit-linear/1', featurizer: { ...rest, columns } }),
    });
    const old = loadModel(join(dir, 'v1.json'));
    expect(old.featurizer).toEqual(model.featurizer);
    const inputs = [{ text: 'claim your free prize now' }, { text: 'quarterly report review' }];
    expect(predict(old, inputs)).toEqual(predict(model, inputs));
  });
});
