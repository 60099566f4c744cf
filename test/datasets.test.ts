/**
 * Dataset versions on SQLite and PostgreSQL: what goes in (misclassified, sampled correct,
 * examples, the previous version), determinism, idempotency, immutability, splits, and the
 * evidence marks that make "since the last dataset" restart.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/ports/clock.js';
import type { RefitEvent } from '../src/core/glossary.js';
import { buildDataset } from '../src/datasets/build.js';
import { validateDataset } from '../src/datasets/validate.js';
import { publish } from '../src/datasets/write-files.js';
import { writeEventBatch } from '../src/stores/evidence.js';
import { readEvidenceCounts } from '../src/stores/signals.js';
import { DIALECTS, tempDir } from './helpers/stores.js';
import { cli, project } from './helpers/project.js';
import { storeFixture } from './helpers/fixture.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const config = (mode = 'extend', artifacts = 'file:./artifacts') => `
artifacts: ${artifacts}
models:
  spam:
    labels: [ham, spam]
    evidence:
      min_reviewer_confidence: 0.5
      correct_ratio: 1
    dataset:
      mode: ${mode}
      seed: 7
      splits: { train: 0.6, eval: 0.2, test: 0.2 }
`;

/** n predictions with feedback: every 4th misclassified; the rest correct. Inputs are unique. */
function evidence(prefix: string, n: number, t = T0, lowConfidence = 0): RefitEvent[] {
  const out: RefitEvent[] = [];
  for (let i = 0; i < n; i++) {
    const truth = i % 2 === 0 ? 'spam' : 'ham';
    const wrong = i % 4 === 0;
    const id = `${prefix}-${i}`;
    out.push({
      type: 'prediction',
      id,
      model: 'spam',
      version: '1',
      input: { text: `message ${id} ${truth}` },
      prediction: wrong ? (truth === 'spam' ? 'ham' : 'spam') : truth,
      confidence: 0.9,
      tsMs: t + i,
    });
    out.push({
      type: 'feedback',
      predictionId: id,
      model: 'spam',
      label: truth,
      reviewerConfidence: i < lowConfidence ? 0.1 : 0.9,
      tsMs: t + i,
    });
  }
  return out;
}

describe.each(DIALECTS)('dataset versions (%s)', (dialect) => {
  const stores = storeFixture(dialect);
  const app = (yaml = config(), clock = new ManualClock(T0)) => stores.open(project(yaml), { clock });

  it('takes every misclassified row, a stratified sample of correct ones and the examples; marks the evidence used', async () => {
    const a = await app();
    await writeEventBatch(a.store, evidence('a', 80, T0, 8), T0);
    await writeEventBatch(
      a.store,
      [{ type: 'example', id: 'x1', model: 'spam', input: { text: 'labelled example' }, label: 'ham', tsMs: T0 }],
      T0,
    );
    const before = await readEvidenceCounts(a.store, 'spam', 0.5);
    expect(before).toEqual({ misclassified: 18, correct: 54, examples: 1 }); // 8 low-confidence rows are not evidence
    const { dataset, created } = await buildDataset(a, 'spam');
    expect(created).toBe(true);
    expect(dataset.metadata.refit!.sources).toEqual({ misclassified: 18, correct: 18, example: 1, previous: 0 });
    expect(dataset.numSamples).toBe(37);
    expect(dataset.tag).toBe('v20261122_100000');
    expect(dataset.splits.train + dataset.splits.eval + dataset.splits.test).toBe(37);
    const meta = JSON.parse(readFileSync(join(dataset.location, 'dataset_metadata.json'), 'utf8'));
    expect(meta).toMatchObject({
      dataset_name: 'spam',
      version_tag: 'v20261122_100000',
      num_samples: 37,
      content_sha256: dataset.contentSha256,
    });
    // Evidence since the last dataset restarts: nothing counts as new any more — the 36 correct rows
    // the sample passed over are not new data — but they stay unused, available to later builds.
    expect(await readEvidenceCounts(a.store, 'spam', 0.5)).toEqual({ misclassified: 0, correct: 0, examples: 0 });
    const unused = await a.store.db
      .selectFrom('feedback')
      .select('prediction_id')
      .where('outcome', '=', 1)
      .where('dataset_tag', 'is', null)
      .where('reviewer_confidence', '>=', 0.5)
      .execute();
    expect(unused).toHaveLength(36);
    expect(
      validateDataset(dataset.location, {
        task: 'text-classification',
        labels: ['ham', 'spam'],
        minSamplesPerClass: 2,
        maxNullRate: 0.2,
      }).passed,
    ).toBe(true);
  });

  it('is idempotent by build key and tags stay unique within one second', async () => {
    const a = await app();
    await writeEventBatch(a.store, evidence('a', 40), T0);
    const first = await buildDataset(a, 'spam', { buildKey: 'run_1' });
    const again = await buildDataset(a, 'spam', { buildKey: 'run_1' });
    expect(again).toEqual({ dataset: first.dataset, created: false });
    await writeEventBatch(a.store, evidence('b', 40), T0);
    const second = await buildDataset(a, 'spam', { buildKey: 'run_2' });
    expect(second.dataset.tag).toBe('v20261122_100000_2');
    expect(() => publish(tempDir(), first.dataset.location)).toThrow(/immutable/);
  });

  it('extend mode carries the previous version over; evidence-only does not; inputs are deduplicated', async () => {
    const clock = new ManualClock(T0);
    const ext = await app(config('extend'), clock);
    await writeEventBatch(ext.store, evidence('a', 40), T0);
    const v1 = (await buildDataset(ext, 'spam')).dataset;
    clock.advance(60_000);
    // b repeats a-0's input with a newer label: one row survives, with the new label.
    const again: RefitEvent[] = [
      {
        type: 'prediction',
        id: 'b-0',
        model: 'spam',
        version: '2',
        input: { text: 'message a-0 spam' },
        prediction: 'spam',
        confidence: 0.9,
        tsMs: T0 + 50_000,
      },
      {
        type: 'feedback',
        predictionId: 'b-0',
        model: 'spam',
        label: 'ham',
        reviewerConfidence: 0.9,
        tsMs: T0 + 50_000,
      },
    ];
    await writeEventBatch(ext.store, [...evidence('c', 20, T0 + 40_000), ...again], T0 + 50_000);
    const v2 = (await buildDataset(ext, 'spam')).dataset;
    expect(v2.metadata.refit!.previous_version).toBe(v1.tag);
    expect(v2.metadata.refit!.duplicates_dropped).toBe(1);
    // 6 misclassified (5 from c, b-0) and 6 sampled correct, minus the duplicate of a-0.
    expect(v2.numSamples).toBe(v1.numSamples + 6 + 6 - 1);
    const rows = ['train', 'eval', 'test'].flatMap((s) =>
      readFileSync(join(v2.location, `${s}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    );
    expect(rows.filter((r) => r.input.text === 'message a-0 spam')).toEqual([
      expect.objectContaining({ label: 'ham', id: 'b-0' }),
    ]);

    const only = await app(config('evidence-only'));
    await writeEventBatch(only.store, evidence('a', 40), T0);
    await buildDataset(only, 'spam');
    await writeEventBatch(only.store, evidence('c', 20, T0 + 40_000), T0);
    const fresh = (await buildDataset(only, 'spam')).dataset;
    expect(fresh.metadata.refit!.sources.previous).toBe(0);
    expect(fresh.numSamples).toBe(10);
  });

  it('extend mode carries only the previous rows inside the window (count or time)', async () => {
    const windowed = (w: string) => config('extend').replace('      seed: 7', `      seed: 7\n      window: ${w}`);
    for (const [w, expected] of [
      ['8', 8],
      ['30s', 30],
    ] as const) {
      const clock = new ManualClock(T0);
      const a = await app(windowed(w), clock);
      await writeEventBatch(a.store, evidence('a', 40), T0);
      const v1 = (await buildDataset(a, 'spam')).dataset;
      clock.advance(60_000);
      await writeEventBatch(a.store, evidence('c', 4, T0 + 59_000), T0 + 59_000);
      const v2 = (await buildDataset(a, 'spam')).dataset;
      const carried = ['train', 'eval', 'test']
        .flatMap((s) =>
          readFileSync(join(v2.location, `${s}.jsonl`), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l)),
        )
        .filter((r) => r.source === 'previous');
      // A count window keeps the newest rows; a time window the rows of the last 30 s (none here
      // but those newer than T0 + 30 s, and v1's rows are all from T0 .. T0 + 39 ms).
      const newest = Math.min(expected, v1.numSamples);
      expect(carried.length).toBe(w === '8' ? newest : 0);
      expect(v2.metadata.refit!.sources.previous).toBe(carried.length);
      if (w === '8') {
        const v1Times = ['train', 'eval', 'test']
          .flatMap((s) =>
            readFileSync(join(v1.location, `${s}.jsonl`), 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => Date.parse(JSON.parse(l).ts)),
          )
          .sort((x, y) => y - x);
        expect(carried.map((r) => Date.parse(r.ts)).sort((x, y) => y - x)).toEqual(v1Times.slice(0, 8));
      }
    }
  });

  it('a tabular version writes CSV next to JSONL with one header, the union of the input fields', async () => {
    const a = await app(
      config('extend').replace('    labels: [ham, spam]', '    task: tabular-classification\n    labels: [ham, spam]'),
    );
    const events: RefitEvent[] = [];
    for (let i = 0; i < 12; i++) {
      const input = i % 3 === 0 ? { x: i, note: `a "quoted", value ${i}` } : { x: i, y: i * 2 };
      events.push({
        type: 'prediction',
        id: `t-${i}`,
        model: 'spam',
        version: '1',
        input,
        prediction: 'spam',
        confidence: 0.9,
        tsMs: T0 + i,
      });
      events.push({
        type: 'feedback',
        predictionId: `t-${i}`,
        model: 'spam',
        label: 'ham',
        reviewerConfidence: 0.9,
        tsMs: T0 + i,
      });
    }
    await writeEventBatch(a.store, events, T0);
    const v = (await buildDataset(a, 'spam')).dataset;
    let rows = 0;
    for (const s of ['train', 'eval', 'test']) {
      const lines = readFileSync(join(v.location, `${s}.csv`), 'utf8')
        .trimEnd()
        .split('\n');
      expect(lines[0]).toBe('id,note,x,y,label');
      rows += lines.length - 1;
      for (const l of lines.slice(1))
        if (l.includes('quoted')) expect(l).toMatch(/^t-\d+,"a ""quoted"", value \d+",\d+,,ham$/);
    }
    expect(rows).toBe(12);
  });

  it('the same evidence and seed give the same content hash in another store', async () => {
    const one = await app(config('extend', `file:${tempDir()}`));
    const two = await app(config('extend', `file:${tempDir()}`));
    for (const a of [one, two]) await writeEventBatch(a.store, evidence('a', 120), T0);
    const [d1, d2] = [(await buildDataset(one, 'spam')).dataset, (await buildDataset(two, 'spam')).dataset];
    expect(d1.contentSha256).toBe(d2.contentSha256);
    expect(d1.location).not.toBe(d2.location);
  });

  it('splits are stratified and the test split takes recent production rows first', async () => {
    const a = await app();
    await writeEventBatch(a.store, evidence('a', 400), T0);
    const d = (await buildDataset(a, 'spam')).dataset;
    const read = (s: string) =>
      readFileSync(join(d.location, `${s}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    const test = read('test');
    const share = (rows: { label: string }[]) => rows.filter((r) => r.label === 'spam').length / rows.length;
    expect(Math.abs(share(test) - share(read('train')))).toBeLessThan(0.05);
    expect(d.splits.test / d.numSamples).toBeCloseTo(0.2, 1);
    expect(test.every((r) => r.source === 'misclassified' || r.source === 'correct')).toBe(true);
  });

  it('nothing to build is a clear error', async () => {
    const a = await app();
    await expect(buildDataset(a, 'spam')).rejects.toThrow(/no rows for a dataset of "spam"/);
    await expect(buildDataset(a, 'nope')).rejects.toThrow(/unknown model line "nope"/);
  });
});

describe('dataset validation', () => {
  async function built(): Promise<{ dir: string; cwd: string }> {
    const cwd = project(config());
    await writeFileSync(
      join(cwd, 'e.ndjson'),
      evidence('a', 60)
        .map((e) =>
          JSON.stringify(
            e.type === 'prediction'
              ? {
                  type: 'prediction',
                  id: e.id,
                  model: 'spam',
                  version: '1',
                  input: e.input,
                  prediction: e.prediction,
                  ts: e.tsMs,
                }
              : e.type === 'feedback'
                ? {
                    type: 'feedback',
                    prediction_id: e.predictionId,
                    model: 'spam',
                    label: e.label,
                    reviewer_confidence: e.reviewerConfidence,
                    ts: e.tsMs,
                  }
                : e,
          ),
        )
        .join('\n'),
    );
    expect((await cli(['ingest', 'e.ndjson'], { cwd })).code).toBe(0);
    const r = await cli(['datasets', 'build', 'spam', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    return { dir: JSON.parse(r.stdout).location, cwd };
  }

  it('lists every failing check in words and exits 1', async () => {
    const { dir, cwd } = await built();
    const train = readFileSync(join(dir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean);
    const first = JSON.parse(train[0]!);
    appendFileSync(join(dir, 'test.jsonl'), JSON.stringify({ ...first, id: 'leak' }) + '\n');
    appendFileSync(
      join(dir, 'train.jsonl'),
      JSON.stringify({ ...first, id: 'dup' }) +
        '\n' +
        JSON.stringify({ id: 'u', input: { text: 'x' }, label: 'eggs' }) +
        '\n' +
        JSON.stringify({ id: 'n', input: {}, label: 'ham' }) +
        '\n',
    );
    const r = await cli(['validate', dir, '--json'], { cwd });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const failed = Object.fromEntries(
      report.checks
        .filter((c: { status: string }) => c.status === 'fail')
        .map((c: { name: string; message: string }) => [c.name, c.message]),
    );
    expect(failed.metadata).toContain('does not match the files');
    expect(failed.labels).toContain('unknown label(s) "eggs" (1 rows)');
    expect(failed.duplicates).toContain('duplicate inputs within train (1)');
    expect(failed.leakage).toContain('1 input(s) in both train and test');
    expect(failed.schema).toContain('input.text must be a non-empty string');
    expect(r.stderr).toContain('dataset validation failed');
  });

  it('refit datasets show and list; validate --out writes JSON and Markdown', async () => {
    const { dir, cwd } = await built();
    const tag = dir.split('/').pop()!;
    const show = await cli(['datasets', 'show', tag], { cwd });
    expect(show.stdout).toContain(`dataset spam ${tag}: 30 rows`);
    const list = await cli(['datasets', 'spam'], { cwd });
    expect(list.stdout).toContain(tag);
    const out = join(cwd, 'reports');
    expect((await cli(['validate', dir, '--out', out], { cwd })).code).toBe(0);
    expect(existsSync(join(out, 'validation.json'))).toBe(true);
    expect(readFileSync(join(out, 'validation.md'), 'utf8')).toContain('| leakage | ✅ pass |');
    expect((await cli(['datasets', 'show', 'v1999'], { cwd })).code).toBe(1);
  });
});
