/**
 * The store conformance suite: every behaviour the loop relies on, run against SQLite and
 * PostgreSQL alike (PostgreSQL when REFIT_TEST_PG_URL is set; CI always sets it).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/ports/clock.js';
import type { RefitEvent } from '../src/core/glossary.js';
import { decideAll } from '../src/decide/decide-all.js';
import { markDatasetBuilt, writeEventBatch } from '../src/stores/evidence.js';
import { recordCandidateOutcome } from '../src/stores/candidate-outcome.js';
import { readEvidenceCounts, readWindowAccuracy } from '../src/stores/signals.js';
import { DIALECTS } from './helpers/stores.js';
import { project } from './helpers/project.js';
import { storeFixture } from './helpers/fixture.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const H = 3_600_000;

const CONFIG = `
models:
  spam:
    labels: [ham, spam]
    evidence:
      min_reviewer_confidence: 0.8
      window: 4
    triggers:
      rules:
        - { signal: misclassified, op: ">=", value: 3 }
        - { id: acc, signal: online_accuracy, op: "<", value: 0.5, consecutive: 2 }
    budget:
      capacity: 1
      refill: 1/12h
  other:
    evidence:
      window: 2h
`;

const pred = (id: string, prediction: string, tsMs = T0, model = 'spam', version = '1'): RefitEvent => ({
  type: 'prediction',
  id,
  model,
  version,
  input: { text: `text ${id}` },
  prediction,
  confidence: 0.9,
  tsMs,
});
const fb = (id: string, label: string, rc: number | null = 0.9, tsMs = T0, model = 'spam'): RefitEvent => ({
  type: 'feedback',
  predictionId: id,
  model,
  label,
  reviewerConfidence: rc,
  tsMs,
});

describe.each(DIALECTS)('store conformance (%s)', (dialect) => {
  const stores = storeFixture(dialect);
  /** An app on the store named `store` (default: the test's one store). */
  const app = (clock = new ManualClock(T0), store = 'main') => stores.open(project(CONFIG), { clock, store });

  it('migrates idempotently: a second open of the same store works', async () => {
    const a = await app();
    const b = await app(new ManualClock(T0));
    expect(a.store.dialect).toBe(dialect);
    expect(await b.store.db.selectFrom('model_lines').select('name').orderBy('name').execute()).toEqual([
      { name: 'other' },
      { name: 'spam' },
    ]);
  });

  it('writes events idempotently and counts evidence once', async () => {
    const a = await app();
    const batch = [
      pred('p1', 'spam'),
      fb('p1', 'ham'),
      pred('p2', 'ham'),
      fb('p2', 'ham'),
      { type: 'example', id: 'e1', model: 'spam', input: { text: 'x' }, label: 'spam', tsMs: T0 } as RefitEvent,
    ];
    const first = await writeEventBatch(a.store, batch, T0);
    expect(first).toEqual({
      inserted: { prediction: 2, feedback: 2, example: 1 },
      duplicates: 0,
      matched: 2,
      conflicts: [],
    });
    const again = await writeEventBatch(a.store, batch, T0);
    expect(again).toEqual({
      inserted: { prediction: 0, feedback: 0, example: 0 },
      duplicates: 5,
      matched: 0,
      conflicts: [],
    });
    expect(await readEvidenceCounts(a.store, 'spam', 0)).toEqual({ misclassified: 1, correct: 1, examples: 1 });
  });

  it('duplicates inside one batch are stored once', async () => {
    const a = await app();
    const r = await writeEventBatch(
      a.store,
      [pred('p1', 'spam'), pred('p1', 'ham'), fb('p1', 'ham'), fb('p1', 'spam')],
      T0,
    );
    expect(r.inserted).toEqual({ prediction: 1, feedback: 1, example: 0 });
    expect(r.duplicates).toBe(2);
    expect(await readEvidenceCounts(a.store, 'spam', 0)).toEqual({ misclassified: 1, correct: 0, examples: 0 });
  });

  it('feedback before its prediction is matched when the prediction arrives', async () => {
    const a = await app();
    await writeEventBatch(a.store, [fb('late', 'ham')], T0);
    expect(await readEvidenceCounts(a.store, 'spam', 0)).toEqual({ misclassified: 0, correct: 0, examples: 0 });
    const r = await writeEventBatch(a.store, [pred('late', 'spam')], T0 + 1);
    expect(r.matched).toBe(1);
    expect(await readEvidenceCounts(a.store, 'spam', 0)).toEqual({ misclassified: 1, correct: 0, examples: 0 });
    const row = await a.store.db
      .selectFrom('feedback')
      .selectAll()
      .where('prediction_id', '=', 'late')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ outcome: 0, version: '1', matched_ms: T0 + 1 });
  });

  it('the reviewer-confidence floor decides what counts as evidence', async () => {
    const a = await app();
    await writeEventBatch(
      a.store,
      [
        pred('a', 'spam'),
        fb('a', 'ham', 0.79),
        pred('b', 'spam'),
        fb('b', 'ham', 0.8),
        pred('c', 'spam'),
        fb('c', 'ham', null),
      ],
      T0,
    );
    expect((await readEvidenceCounts(a.store, 'spam', 0)).misclassified).toBe(3);
    expect((await readEvidenceCounts(a.store, 'spam', 0.8)).misclassified).toBe(2);
    expect((await readEvidenceCounts(a.store, 'spam', 0.81)).misclassified).toBe(1); // only "no confidence given"
  });

  it('"since the last dataset" restarts at zero after a dataset is built', async () => {
    const a = await app();
    await writeEventBatch(a.store, [pred('a', 'spam'), fb('a', 'ham')], T0);
    await markDatasetBuilt(a.store, 'spam');
    expect(await readEvidenceCounts(a.store, 'spam', 0)).toEqual({ misclassified: 0, correct: 0, examples: 0 });
    await writeEventBatch(a.store, [pred('b', 'spam'), fb('b', 'spam')], T0);
    expect(await readEvidenceCounts(a.store, 'spam', 0)).toEqual({ misclassified: 0, correct: 1, examples: 0 });
  });

  it('online accuracy over a count window and over a time window', async () => {
    const a = await app();
    const events: RefitEvent[] = [];
    // spam: 6 reviewed, oldest 2 wrong, newest 4: 3 right 1 wrong
    const outcomes = [false, false, true, true, false, true];
    outcomes.forEach((ok, i) =>
      events.push(pred(`w${i}`, 'spam', T0 + i * 1000), fb(`w${i}`, ok ? 'spam' : 'ham', 0.9, T0 + i * 1000)),
    );
    // other: one wrong 3h ago, two right within the last 2h
    events.push(pred('o1', 'x', T0 - 3 * H, 'other'), fb('o1', 'y', 0.9, T0 - 3 * H, 'other'));
    events.push(pred('o2', 'x', T0 - 30 * 60_000, 'other'), fb('o2', 'x', 0.9, T0 - 30 * 60_000, 'other'));
    events.push(pred('o3', 'x', T0, 'other'), fb('o3', 'x', 0.9, T0, 'other'));
    await writeEventBatch(a.store, events, T0);
    expect(await readWindowAccuracy(a.store, a.config.models.spam!, T0)).toEqual({ accuracy: 0.75, n: 4 });
    expect(await readWindowAccuracy(a.store, a.config.models.other!, T0)).toEqual({ accuracy: 1, n: 2 });
  });

  it('plan changes nothing; run records the decision, spends budget and queues one run', async () => {
    const clock = new ManualClock(T0);
    const a = await app(clock);
    await writeEventBatch(
      a.store,
      ['a', 'b', 'c'].flatMap((id) => [pred(id, 'spam'), fb(id, 'ham')]),
      T0,
    );
    const snapshot = async () => ({
      decisions: await a.store.db.selectFrom('decisions').selectAll().execute(),
      runs: await a.store.db.selectFrom('runs').selectAll().execute(),
      budget: await a.store.db.selectFrom('budget_state').selectAll().execute(),
      streaks: await a.store.db.selectFrom('trigger_state').selectAll().execute(),
    });
    const before = await snapshot();
    const plan = await decideAll(a, { dryRun: true, actor: 'test' });
    expect(plan.outcomes.find((o) => o.model === 'spam')!.decision!.action).toBe('retrain');
    expect(await snapshot()).toEqual(before);

    const run = await decideAll(a, { dryRun: false, actor: 'tester' });
    const spam = run.outcomes.find((o) => o.model === 'spam')!;
    expect(spam.decision!.action).toBe('retrain');
    expect(spam.runId).toMatch(/^run_/);
    const after = await snapshot();
    expect(after.runs).toHaveLength(1);
    expect(after.runs[0]).toMatchObject({
      id: spam.runId,
      model: 'spam',
      state: 'queued',
      actor: 'tester',
      created_ms: T0,
    });
    expect(after.budget).toEqual([{ model: 'spam', tokens: 0, last_ms: T0, rejections: 0, updated_ms: T0 }]);
    const rec = after.decisions.find((d) => d.model === 'spam')!;
    expect(rec).toMatchObject({
      action: 'retrain',
      actor: 'tester',
      run_id: spam.runId,
      reason: spam.decision!.reason,
    });
    expect(JSON.parse(rec.details).signals.misclassified).toBe(3);
    expect(after.decisions.find((d) => d.model === 'other')!.action).toBe('skip');

    // While the run is queued, the next tick is blocked and spends nothing.
    clock.advance(13 * H);
    const next = await decideAll(a, { dryRun: false, actor: 'tester' });
    expect(next.outcomes.find((o) => o.model === 'spam')!.decision!.reason).toContain(
      `run ${spam.runId} is still in flight`,
    );
    expect(await a.store.db.selectFrom('runs').selectAll().execute()).toHaveLength(1);
  });

  it('hysteresis streaks persist across real ticks and not across plans', async () => {
    const clock = new ManualClock(T0);
    const a = await app(clock);
    await writeEventBatch(
      a.store,
      ['a', 'b'].flatMap((id) => [pred(id, 'spam'), fb(id, 'ham', 0.1)]),
      T0,
    );
    const acc = async (dryRun: boolean) =>
      (await decideAll(a, { models: ['spam'], dryRun, actor: 't' })).outcomes[0]!.decision!;
    expect((await acc(true)).rules.find((r) => r.id === 'acc')!.streak).toBe(1);
    expect((await acc(true)).rules.find((r) => r.id === 'acc')!.streak).toBe(1);
    expect((await acc(false)).action).toBe('skip');
    const second = await acc(false);
    expect(second.action).toBe('retrain');
    expect(second.reason).toContain('online_accuracy 0 < 0.5 (2 of 2 consecutive checks)');
  });

  // SQLite's locks are per process and better-sqlite3 waits synchronously, so two connections in one
  // thread would wait on each other; SQLite's cross-process race is in test/multi-process.test.ts.
  it.skipIf(dialect === 'sqlite')(
    'two app instances deciding at once create one run and spend the budget once',
    async () => {
      const a = await app();
      const b = await app(new ManualClock(T0));
      await writeEventBatch(
        a.store,
        ['a', 'b', 'c'].flatMap((id) => [pred(id, 'spam'), fb(id, 'ham')]),
        T0,
      );
      const results = await Promise.all(
        [a, b, a, b].map((x) => decideAll(x, { models: ['spam'], dryRun: false, actor: 'race' })),
      );
      const actions = results.map((r) => r.outcomes[0]!.decision!.action).sort();
      expect(actions).toEqual(['blocked', 'blocked', 'blocked', 'retrain']);
      expect(await a.store.db.selectFrom('runs').selectAll().execute()).toHaveLength(1);
      const budget = await a.store.db.selectFrom('budget_state').selectAll().executeTakeFirstOrThrow();
      expect(budget.tokens).toBe(0);
    },
  );

  it('rejected candidates raise the next retrain cost; a promotion resets it', async () => {
    const clock = new ManualClock(T0);
    const a = await app(clock);
    await recordCandidateOutcome(a.store, 'spam', 'rejected', 1, T0);
    await recordCandidateOutcome(a.store, 'spam', 'rejected', 1, T0);
    const row = await a.store.db
      .selectFrom('budget_state')
      .selectAll()
      .where('model', '=', 'spam')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ tokens: 1, last_ms: null, rejections: 2 });
    const plan = await decideAll(a, { models: ['spam'], force: ['spam'], dryRun: true, actor: 't' });
    expect(plan.outcomes[0]!.decision!.budget).toMatchObject({ rejections: 2, cost: 1 }); // 1 × 2², capped at capacity 1
    await recordCandidateOutcome(a.store, 'spam', 'promoted', 1, T0);
    expect(
      (await a.store.db.selectFrom('budget_state').select('rejections').executeTakeFirstOrThrow()).rejections,
    ).toBe(0);
  });

  it('the store refuses a second queued run for one model line', async () => {
    const a = await app();
    const row = {
      model: 'spam',
      state: 'queued',
      reason: 'x',
      decision_id: null,
      forced: 0,
      actor: 't',
      created_ms: T0,
      updated_ms: T0,
      started_ms: null,
      finished_ms: null,
      error: null,
      lease_owner: null,
      lease_until_ms: null,
    };
    await a.store.db
      .insertInto('runs')
      .values({ id: 'r1', ...row })
      .execute();
    await expect(
      a.store.db
        .insertInto('runs')
        .values({ id: 'r2', ...row })
        .execute(),
    ).rejects.toThrow();
  });
});
