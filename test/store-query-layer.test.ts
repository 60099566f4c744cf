/**
 * The query layer's own conformance suite: the functions of src/stores that the pipeline, CLI,
 * HTTP and monitor call — runs and leases, steps and replay, versions and aliases, training jobs,
 * preparations, the outbox, monitoring state, external dataset versions — on SQLite and
 * PostgreSQL alike, through the shared store fixture.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppContext } from '../src/app-context.js';
import { ManualClock } from '../src/core/ports/clock.js';
import { decide } from '../src/core/decide.js';
import { runStep, StoredResultError } from '../src/engine/step.js';
import { aliasHistory, championOf, moveAliases, replacedBy } from '../src/stores/aliases.js';
import { findDataset, recordExternalDataset, setDatasetLocation } from '../src/stores/datasets.js';
import { lockDecisions, recordDecision } from '../src/stores/decisions.js';
import { writeEventBatch } from '../src/stores/evidence.js';
import { getJob, insertJob, jobOfKey, runningRemoteJob, unfinishedJobsOfKey, updateJob } from '../src/stores/jobs.js';
import { driftState, saveDriftState, versionAccuracy } from '../src/stores/monitoring.js';
import { claimDelivery, dueDeliveries, enqueue, markDelivered, markUndelivered } from '../src/stores/notifications.js';
import { claimTrigger, openPreparation, updatePreparation } from '../src/stores/preparations.js';
import * as runs from '../src/stores/runs.js';
import { lastFailedStep, listSteps } from '../src/stores/steps.js';
import { inTransaction } from '../src/stores/store.js';
import { insertVersion, listVersions } from '../src/stores/versions.js';
import { storeFixture } from './helpers/fixture.js';
import { project } from './helpers/project.js';
import { DIALECTS } from './helpers/stores.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const CONFIG = 'models:\n  spam:\n    labels: [ham, spam]\n';

/** Queues a forced run the way `refit run --force` does, and returns its id. */
async function queueRun(a: AppContext, nowMs = T0): Promise<string> {
  const d = decide({
    model: 'spam',
    nowMs,
    signals: {
      misclassified: 0,
      correct: 0,
      sampled_correct: 0,
      dataset_len: 0,
      new_examples: 0,
      new_labelled: 0,
      online_accuracy: null,
      window_size: 0,
      accuracy_drop: null,
      drift_score: null,
      external_count: null,
      hours_since_retrain: null,
    },
    mode: 'any',
    rules: [],
    streaks: {},
    cron: { previousFireMs: {}, sinceMs: nowMs },
    guards: {
      inFlightRunId: null,
      runsInFlight: 0,
      maxRunsInFlight: null,
      retrainsLastDay: 0,
      maxRetrainsPerDay: null,
      minIntervalMs: 0,
      lastRetrainMs: null,
    },
    budgetPolicy: { capacity: 3, refill: 0, cost: 1, needGain: 0, backoff: 2 },
    budgetState: null,
    force: true,
    spend: true,
  });
  const recorded = await inTransaction(a.store, async (tx) => {
    await lockDecisions(tx);
    return recordDecision(tx, d, 'test', nowMs, {});
  });
  return recorded.runId!;
}

describe.each(DIALECTS)('the query layer (%s)', (dialect) => {
  const stores = storeFixture(dialect);
  const app = () => stores.open(project(CONFIG), { clock: new ManualClock(T0), store: 'one' });

  it('runs: one read model; one owner at a time holds the lease; due, settled, cancelled, requeued', async () => {
    const a = await app();
    const id = await queueRun(a);
    const view = (await runs.getRun(a.store, id))!;
    expect(view).toMatchObject({ id, model: 'spam', state: 'queued', forced: true, actor: 'test', createdMs: T0 });
    expect(Object.keys(view).some((k) => k.includes('_'))).toBe(false);
    expect(await runs.dueRuns(a.store, T0)).toEqual([{ id, model: 'spam' }]);
    expect(await runs.claimRun(a.store, id, 'w1', T0, 1000)).toBe(true);
    expect(await runs.claimRun(a.store, id, 'w2', T0 + 500, 1000)).toBe(false);
    expect(await runs.renewLease(a.store, id, 'w1', T0 + 900, 1000)).toBe(true);
    expect(await runs.claimRun(a.store, id, 'w2', T0 + 1500, 1000)).toBe(false);
    expect(await runs.claimRun(a.store, id, 'w2', T0 + 2000, 1000)).toBe(true); // w1's lease ran out
    expect(await runs.renewLease(a.store, id, 'w1', T0 + 2100, 1000)).toBe(false);
    await runs.markRunning(a.store, id, T0 + 2000);
    await runs.settleRun(a.store, id, { state: 'waiting', outcome: 'parked', nextCheckMs: T0 + 9000 }, T0 + 2200);
    expect(await runs.dueRuns(a.store, T0 + 5000)).toEqual([]);
    expect(await runs.dueRuns(a.store, T0 + 9000)).toEqual([{ id, model: 'spam' }]);
    expect(await runs.earliestCheck(a.store, [id])).toBe(T0 + 9000);
    expect(await runs.runsInFlight(a.store, ['spam'])).toEqual([id]);
    await runs.settleRun(a.store, id, { state: 'failed', outcome: 'boom' }, T0 + 9100);
    expect(await runs.getRun(a.store, id)).toMatchObject({ state: 'failed', error: 'boom', finishedMs: T0 + 9100 });
    await runs.requeueRun(a.store, id, 'retried', T0 + 9200);
    expect(await runs.getRun(a.store, id)).toMatchObject({ state: 'queued', error: null, finishedMs: null });
    expect(await runs.cancelRunRow(a.store, id, 'cancelled by test', T0 + 9300)).toBe(true);
    expect(await runs.cancelRunRow(a.store, id, 'again', T0 + 9400)).toBe(false);
    // A pass that ends after the cancellation does not overwrite it.
    await runs.settleRun(a.store, id, { state: 'succeeded', outcome: 'late' }, T0 + 9500);
    expect(await runs.runState(a.store, id)).toBe('cancelled');
    expect((await runs.listRuns(a.store, { model: 'spam', limit: 5 })).map((r) => r.id)).toEqual([id]);
    expect(await runs.countRuns(a.store)).toEqual([{ model: 'spam', state: 'cancelled', n: 1 }]);
  });

  it('steps: memoised by id and listed in table order; a stored result of another shape fails loudly', async () => {
    const a = await app();
    const id = await queueRun(a);
    const now = () => T0;
    const schema = z.object({ tag: z.string() });
    let calls = 0;
    const body = async () => (calls++, { tag: 'v1' });
    await runStep(a.store, { runId: id, stepId: 'second', position: 1 }, schema, now, body);
    await runStep(a.store, { runId: id, stepId: 'first', position: 0 }, schema, now, body);
    const again = await runStep(a.store, { runId: id, stepId: 'first', position: 0 }, schema, now, body);
    expect(again).toEqual({ result: { tag: 'v1' }, replayed: true });
    expect(calls).toBe(2);
    expect((await listSteps(a.store, id)).map((s) => s.step)).toEqual(['first', 'second']);
    const boom = () => Promise.reject(new Error('down'));
    await expect(runStep(a.store, { runId: id, stepId: 'third', position: 2 }, schema, now, boom)).rejects.toThrow();
    await expect(runStep(a.store, { runId: id, stepId: 'third', position: 2 }, schema, now, boom)).rejects.toThrow();
    expect(await lastFailedStep(a.store, id)).toEqual({ step: 'third', attempts: 2 });
    const newer = z.object({ tag: z.string(), location: z.string() });
    const replay = runStep(a.store, { runId: id, stepId: 'first', position: 0 }, newer, now, body);
    await expect(replay).rejects.toThrow(StoredResultError);
    await expect(replay).rejects.toThrow(/stored result of step first .* \(location: /);
  });

  it('versions are numbered under the line lock; alias moves keep a gap-free history', async () => {
    const a = await app();
    const put = async (v: number) => ({ uri: `file:/x/${v}`, sha256: `${v}`.repeat(64).slice(0, 64), size: v });
    const base = { model: 'spam', createdMs: T0, registrationKey: null, runId: null, datasetTag: null, actor: 't' };
    const fields = { ...base, metrics: {}, params: {}, lineage: {}, gate: null, tags: {} };
    const numbers = await Promise.all([1, 2, 3].map(() => insertVersion(a.store, fields, put)));
    expect(numbers.sort()).toEqual([1, 2, 3]);
    const meta = { model: 'spam', action: 'promote', actor: 't', reason: 'r', atMs: T0 };
    await moveAliases(a.store, meta, () => [{ alias: 'champion', from: null, to: 1 }]);
    await moveAliases(a.store, meta, () => [
      { alias: 'previous', from: null, to: 1 },
      { alias: 'champion', from: 1, to: 2 },
    ]);
    expect(await moveAliases(a.store, meta, () => 'nothing to do')).toBe('nothing to do');
    expect(await championOf(a.store, 'spam')).toBe(2);
    expect(await replacedBy(a.store, 'spam', 2)).toBe(1);
    expect((await aliasHistory(a.store, 'spam')).map((h) => h.seq)).toEqual([1, 2, 3]);
    const listed = await listVersions(a.store, { model: 'spam' });
    expect(listed.map((v) => [v.version, v.aliases])).toEqual([
      [3, []],
      [2, ['champion']],
      [1, ['previous']],
    ]);
  });

  it('training jobs, preparations, the outbox and monitoring state', async () => {
    const a = await app();
    const job = { key: 'run_1', model: 'spam', executor: 'http', datasetTag: 'v1', params: {}, codeVersion: null };
    await insertJob(a.store, { ...job, id: 'train_1', startedMs: T0, outputDir: '/tmp/x' });
    await updateJob(a.store, 'train_1', { remote: { id: 'j1' }, logs: 'started' });
    expect(await runningRemoteJob(a.store, 'run_1')).toMatchObject({ id: 'train_1', remote: { id: 'j1' } });
    await updateJob(a.store, 'train_1', { state: 'failed', finishedMs: T0 + 1, error: 'x' });
    expect(await unfinishedJobsOfKey(a.store, 'run_1')).toHaveLength(1);
    expect(await jobOfKey(a.store, 'run_1')).toMatchObject({ state: 'failed', logs: 'started' });
    expect((await getJob(a.store, 'train_1'))!.error).toBe('x');

    const p = { key: 'k', model: 'spam', required: 5, nowMs: T0, deadlineMs: T0 + 1000 };
    expect((await openPreparation(a.store, p)).state).toBe('pending');
    expect((await openPreparation(a.store, { ...p, required: 99 })).required).toBe(5);
    const claims = await Promise.all([1, 2, 3].map(() => claimTrigger(a.store, 'k', T0, T0 + 30)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await updatePreparation(a.store, 'k', { checks: 2, status: 'polling' }, T0)).toMatchObject({
      state: 'waiting',
      checks: 2,
      status: 'polling',
    });

    const e = { eventId: 'ev1', model: 'spam', kind: 'promoted', payload: '{}', channels: ['slack#0'], nowMs: T0 };
    expect(await enqueue(a.store, e)).toBe(1);
    expect(await enqueue(a.store, e)).toBe(0);
    const [due] = await dueDeliveries(a.store, T0);
    const won = await Promise.all([1, 2].map(() => claimDelivery(a.store, due!, T0 + 60_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    await markUndelivered(a.store, due!.id, 'HTTP 503', T0 + 30_000);
    expect(await dueDeliveries(a.store, T0 + 10_000)).toEqual([]);
    const [retry] = await dueDeliveries(a.store, T0 + 30_000);
    expect(retry).toMatchObject({ attempts: 1, lastError: 'HTTP 503' });
    await markDelivered(a.store, retry!.id, '#12', T0 + 31_000);
    expect(await dueDeliveries(a.store, T0 + 99_000)).toEqual([]);

    const fb = (i: number, ok: boolean) => [
      {
        type: 'prediction' as const,
        id: `p${i}`,
        model: 'spam',
        version: '1',
        input: { text: `t${i}` },
        prediction: 'ham',
        confidence: 1,
        tsMs: T0 + i,
      },
      {
        type: 'feedback' as const,
        predictionId: `p${i}`,
        model: 'spam',
        label: ok ? 'ham' : 'spam',
        reviewerConfidence: 1,
        tsMs: T0 + i,
      },
    ];
    await writeEventBatch(
      a.store,
      [0, 1, 2, 3].flatMap((i) => fb(i, i !== 0)),
      T0,
    );
    expect(await versionAccuracy(a.store, 'spam', 1, { kind: 'count', count: 3 }, T0)).toEqual({
      version: 1,
      n: 3,
      correct: 3,
    });
    expect(await versionAccuracy(a.store, 'spam', 1, { kind: 'count', count: 10 }, T0)).toMatchObject({
      n: 4,
      correct: 3,
    });
    await saveDriftState(a.store, 'spam', { version: 1, driftShare: 0.25, checkedMs: T0, details: { columns: [] } });
    await saveDriftState(a.store, 'spam', { version: 2, driftShare: 0.5, checkedMs: T0 + 1, details: { columns: [] } });
    expect(await driftState(a.store, 'spam')).toMatchObject({ version: 2, driftShare: 0.5, checkedMs: T0 + 1 });
  });

  it('an external version is recorded once per key and restarts the evidence counters', async () => {
    const a = await app();
    const metadata = {
      dataset_name: 'owner/x',
      version_tag: 'v20261122_101000',
      num_samples: 3,
      splits: { train: 1, eval: 1, test: 1 },
      created_at: 'x',
      content_sha256: 'abc',
    };
    const v = { model: 'spam', buildKey: 'run_1', createdMs: T0, metadata, location: 'https://hub/x' };
    const first = await recordExternalDataset(a.store, v);
    const again = await recordExternalDataset(a.store, { ...v, createdMs: T0 + 5 });
    expect(again).toEqual(first);
    await setDatasetLocation(a.store, 'spam', 'v20261122_101000', '/data/v1');
    expect(await findDataset(a.store, 'spam', { buildKey: 'run_1' })).toMatchObject({
      location: '/data/v1',
      numSamples: 3,
    });
  });
});
