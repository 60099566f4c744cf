/**
 * One run = the loop for one model line, as durable steps with stable ids:
 *   prepare → validate → train → evaluate → gate → register → deploy → verify → notify
 * (a failed verification adds `rollback` and ends the run failed).
 * Each step's result is stored; a resumed run replays finished steps and its side effects carry
 * the run id as idempotency key (dataset build key, training job key, registration key; the
 * promotion checks the alias first). External preparation parks the run as `waiting` until its
 * next check. A rejected candidate ends the run `failed` with the gate's reasons, raises the
 * budget's backoff, and is recorded as a decision.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { CHAMPION } from '../core/aliases.js';
import { evaluateGate, gateMarkdown, withChecks, type GateCheck, type GateReport } from '../core/gate.js';
import { ruleChecks, sliceMetrics } from '../training/holdout-checks.js';
import { buildDataset, pushDatasetVersion } from '../datasets/build.js';
import { advancePreparation } from '../datasets/external/prepare.js';
import { validateDataset } from '../datasets/validate.js';
import { claimRun, renewLease } from '../engine/lease.js';
import { isRetryable, NonRetriableError, runStep, WaitError } from '../engine/step.js';
import { metricLookup, metricsFromRows, type Metrics } from '../ml/metrics/evaluate-rows.js';
import { getVersion, openArtifact, promote, registerVersion, rollback } from '../registry/registry.js';
import { pushToTarget } from '../deploy/push.js';
import { checkHealth, sanityCheck } from '../deploy/verify.js';
import { recordCandidateOutcome } from '../stores/candidate-outcome.js';
import { findDataset } from '../stores/datasets.js';
import { predictWith } from '../training/predict-with.js';
import { pushDirectory } from '../integrations/hf-hub.js';
import { advanceRemoteTraining, runTraining } from '../training/run-training.js';
import { isRemote } from '../executors/remote.js';
import type { NotifyEvent } from '../notify/event.js';
import { deliverDue, notify } from '../notify/outbox.js';

class CancelledError extends Error {}

/** How often a training step checks whether its run was cancelled (ms). */
const CANCEL_POLL_MS = 1000;

/** A deployment failed its verification and was rolled back: the run fails and says so. */
class RolledBackError extends NonRetriableError {}

export interface AdvanceResult {
  runId: string;
  model: string;
  state: 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';
  outcome: string;
}

export async function advanceRun(app: AppContext, runId: string, owner: string): Promise<AdvanceResult> {
  const { db } = app.store;
  const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  const model = run.model;
  if (!(await claimRun(db, runId, owner, app.clock.now(), app.config.leaseMs)))
    return { runId, model, state: 'skipped', outcome: 'another worker holds this run' };
  await db
    .updateTable('runs')
    .set({ state: 'running', updated_ms: app.clock.now() })
    .where('id', '=', runId)
    .where('state', '!=', 'cancelled')
    .execute();
  const line = app.config.models[model];
  const log = app.logger.child({ model, run: runId });
  const now = () => app.clock.now();
  const step = async <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const current = await db.selectFrom('runs').select('state').where('id', '=', runId).executeTakeFirst();
    if (current?.state === 'cancelled') throw new CancelledError();
    await renewLease(db, runId, owner, now(), app.config.leaseMs);
    return runStep(db, runId, id, now, async () => {
      log.info(`step ${id}`);
      return fn();
    });
  };
  const finish = async (
    state: 'succeeded' | 'failed' | 'waiting',
    outcome: string,
    nextCheckMs: number | null = null,
  ): Promise<AdvanceResult> => {
    await db
      .updateTable('runs')
      .set({
        state,
        outcome,
        error: state === 'failed' ? outcome : null,
        updated_ms: now(),
        finished_ms: state === 'waiting' ? null : now(),
        next_check_ms: nextCheckMs,
        lease_owner: null,
        lease_until_ms: null,
      })
      .where('id', '=', runId)
      .execute();
    (state === 'failed' ? log.warn : log.info)(`run ${state}: ${outcome}`);
    return { runId, model, state, outcome };
  };
  if (!line) return finish('failed', `model line "${model}" is no longer in the configuration`);

  try {
    const dataset = await step('prepare', async () => {
      if (line.prepare.trigger.kind === 'builtin') {
        const d = (await buildDataset(app, model, { buildKey: runId })).dataset;
        return { tag: d.tag, location: d.location };
      }
      const required = Math.max(
        1,
        Number(
          JSON.parse(
            (await db.selectFrom('decisions').select('details').where('run_id', '=', runId).executeTakeFirst())
              ?.details ?? '{}',
          ).signals?.dataset_len ?? 1,
        ),
      );
      const p = await advancePreparation(app, model, runId, required);
      if (p.state === 'failed') throw new NonRetriableError(`external preparation failed: ${p.status}`);
      if (p.state !== 'succeeded') throw new WaitError(p.nextCheckMs, p.status ?? 'waiting for the external preparer');
      return { tag: p.metadata!.version_tag, location: null as string | null };
    });
    if (dataset.location && line.hub.datasetRepo)
      await step('publish-dataset', async () => pushDatasetVersion(app, model, dataset.tag, dataset.location!));
    if (!dataset.location)
      throw new NonRetriableError(
        `dataset ${dataset.tag} was prepared externally; training on remote data needs a remote executor (not available yet)`,
      );

    const champion = await championVersion(app, model);
    const championDataset = champion?.datasetTag ? await findDataset(db, model, { tag: champion.datasetTag }) : null;
    const validation = await step('validate', async () => {
      const report = validateDataset(dataset.location!, {
        task: line.task,
        labels: line.labels,
        minSamplesPerClass: line.dataset.minSamplesPerClass,
        maxNullRate: line.dataset.maxNullRate,
        referenceDir: championDataset?.location ?? null,
      });
      if (!report.passed)
        throw new NonRetriableError(`dataset ${dataset.tag} failed validation: ${report.failures.join('; ')}`);
      return { passed: true, checks: report.checks.length, driftShare: report.driftShare };
    });

    const job = await step('train', async () => {
      const j = isRemote(line)
        ? await remoteTrainingStep(app, model, dataset.tag, runId)
        : await watchingCancel(app, runId, (signal) =>
            runTraining(app, model, { datasetTag: dataset.tag, key: runId, signal }),
          );
      return {
        id: j.id,
        outputDir: j.outputDir,
        executor: j.executor,
        codeVersion: j.codeVersion,
        reported: j.reportedMetrics,
        params: j.params,
      };
    });

    const evaluation = await step('evaluate', async () => {
      const test = readFileSync(join(dataset.location!, 'test.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; input: Record<string, unknown>; label: string });
      const task = line.task === 'tabular-regression' ? 'regression' : 'classification';
      const score = async (dir: string) => {
        const preds = await predictWith(line, dir, test, dirname(app.config.source));
        const rows = test.map((r, i) => ({
          input: r.input,
          label: r.label,
          prediction: preds[i]!.value ?? preds[i]!.prediction,
          proba: task === 'classification' && Object.keys(preds[i]!.proba).length ? preds[i]!.proba : undefined,
        }));
        return { metrics: metricsFromRows(rows, task, `test split of ${dataset.tag}`), rows };
      };
      const candidate = await score(job.outputDir);
      // The champion predicts the same holdout rows: the gate compares like with like.
      const championScore = champion ? await score(await openArtifact(app, champion)) : null;
      const rules = ruleChecks(line.businessRules, candidate.rows);
      return {
        // What the candidate answered for a few holdout rows: the deployment must answer the same.
        sanity: candidate.rows
          .slice(0, line.deploy.verify.sanityRequests)
          .map((r) => ({ input: r.input, expected: String(r.prediction) })),
        candidate: candidate.metrics,
        champion: championScore?.metrics ?? null,
        championVersion: champion?.version ?? null,
        rows: test.length,
        rules: rules.results,
        ruleChecks: rules.checks,
        slices: sliceMetrics(line.slices, candidate.rows, task),
      };
    });

    const gate = await step('gate', async (): Promise<GateReport> => {
      // drift_share (new train split vs the champion's) is gate-able like a metric.
      const withDrift = (m: Metrics) => (metric: string, cls?: string) =>
        metric === 'drift_share' && cls === undefined ? (validation.driftShare ?? null) : metricLookup(m)(metric, cls);
      // Without a champion's training data there is nothing to drift from: those rules are skipped, and said so.
      const noReference = validation.driftShare === null || validation.driftShare === undefined;
      const driftSkips: GateCheck[] = noReference
        ? line.gate
            .filter((g) => g.metric === 'drift_share')
            .map(() => ({
              name: 'drift_share',
              kind: 'value',
              passed: true,
              skipped: true,
              candidate: null,
              champion: null,
              reason: 'drift_share skipped: there is no champion training data to compare with (first model)',
            }))
        : [];
      const rules = noReference ? line.gate.filter((g) => g.metric !== 'drift_share') : line.gate;
      const base = evaluateGate(
        rules,
        withDrift(evaluation.candidate),
        evaluation.champion ? withDrift(evaluation.champion) : null,
      );
      const report = withChecks(base, [...driftSkips, ...evaluation.ruleChecks]);
      // The report in both forms, next to the run's other records.
      const reports = join(app.config.artifactsDir, 'reports', model, runId);
      mkdirSync(reports, { recursive: true });
      writeFileSync(
        join(reports, 'gate.json'),
        JSON.stringify(
          {
            ...report,
            evaluation: { rows: evaluation.rows, slices: evaluation.slices, business_rules: evaluation.rules },
          },
          null,
          2,
        ) + '\n',
      );
      writeFileSync(join(reports, 'gate.md'), gateMarkdown(report, `${model} candidate of ${runId}`));
      await recordDecision(app, model, runId, report.blessed ? 'bless' : 'reject', report.summary, {
        gate: report,
        report: join(reports, 'gate.md'),
      });
      if (!report.blessed) {
        await recordCandidateOutcome(db, model, 'rejected', line.budget.capacity, now());
        throw new NonRetriableError(`candidate ${report.summary}`);
      }
      return report;
    });

    const version = await step('register', async () => {
      const v = await registerVersion(app, {
        model,
        artifactPath: job.outputDir,
        registrationKey: runId,
        runId,
        datasetTag: dataset.tag,
        metrics: {
          ...(evaluation.candidate as unknown as Record<string, unknown>),
          slices: evaluation.slices,
          business_rules: evaluation.rules,
        },
        params: job.params,
        lineage: {
          run: runId,
          dataset: dataset.tag,
          training_job: job.id,
          executor: job.executor,
          code_version: job.codeVersion,
          reported_metrics: job.reported,
          champion_before: evaluation.championVersion,
        },
        gate,
        tags: { executor: job.executor },
        actor: `run:${runId}`,
      });
      if (line.hub.modelRepo) {
        const push = await pushDirectory({
          hubUrl: app.config.hubUrl,
          token: line.hub.token,
          type: 'model',
          repo: line.hub.modelRepo,
          dir: await openArtifact(app, v),
          pathInRepo: `v${v.version}`,
          title: `refit: ${model} v${v.version}`,
        });
        await db
          .updateTable('model_versions')
          .set({ tags: JSON.stringify({ ...v.tags, hub_repo: push.repo, hub_commit: push.commitOid ?? '' }) })
          .where('model', '=', model)
          .where('version', '=', v.version)
          .execute();
      }
      return { version: v.version };
    });

    const headline = headlineOf(
      line.name,
      version.version,
      evaluation.candidate,
      evaluation.champion,
      evaluation.championVersion,
      dataset.tag,
    );
    const deployed = await step('deploy', async () => {
      const change = await promote(app, model, version.version, `run:${runId}`, headline);
      if (change.changed) await recordDecision(app, model, runId, 'promote', headline, { moves: change.moves });
      const pushed = await pushToTarget(app, await getVersion(app, model, version.version), runId);
      return { promoted: version.version, target: line.deploy.target, pushed, atMs: now() };
    });
    const verification = await step('verify', async () => {
      const health = await checkHealth(app, model);
      if (!health.ok) {
        const deadline = deployed.atMs + line.deploy.verify.timeoutMs;
        if (now() < deadline)
          throw new WaitError(
            Math.min(deadline, now() + 5000),
            `waiting for ${model} v${version.version} on ${line.deploy.target} to become healthy: ${health.detail}`,
          );
        return {
          passed: false,
          reason: `${line.deploy.target} did not become healthy within ${Math.round(line.deploy.verify.timeoutMs / 1000)} s: ${health.detail}`,
        };
      }
      const s = await sanityCheck(app, model, version.version, evaluation.sanity);
      return { passed: s.passed, reason: s.reason, agreed: s.agreed, sent: s.sent };
    });
    if (!verification.passed) {
      const back = await step('rollback', async () => {
        const reason = `verification of v${version.version} failed: ${verification.reason}`;
        const change = await rollback(app, model, `run:${runId}`, reason, { expectChampion: version.version }).catch(
          (err: Error) => ({ changed: false, moves: [], reason: err.message }),
        );
        if (change.changed)
          await recordDecision(app, model, runId, 'rollback', reason, { moves: change.moves, verification });
        return {
          to: change.changed ? (change.moves[0]?.to ?? null) : null,
          detail: change.changed ? `rolled back to v${change.moves[0]?.to}` : `not rolled back: ${change.reason}`,
        };
      });
      throw new RolledBackError(
        `${model} v${version.version} failed verification on ${line.deploy.target} (${verification.reason}); ${back.detail}`,
      );
    }
    await step('notify', async () => {
      const key = evaluation.candidate.task === 'classification' ? 'f1_macro' : 'rmse';
      const numbers = {
        version: version.version,
        dataset: dataset.tag,
        [key]: metricOf(evaluation.candidate, key),
        champion_version: evaluation.championVersion,
        [`champion_${key}`]: evaluation.champion ? metricOf(evaluation.champion, key) : null,
      };
      return {
        queued: await notifyRun(app, runId, model, 'promoted', headline, `Run ${runId}: ${gate.summary}`, numbers),
      };
    });
    return finish('succeeded', headline);
  } catch (err) {
    const current = await db.selectFrom('runs').select('state').where('id', '=', runId).executeTakeFirst();
    if (err instanceof CancelledError || current?.state === 'cancelled') {
      await db.updateTable('runs').set({ lease_owner: null, lease_until_ms: null }).where('id', '=', runId).execute();
      return { runId, model, state: 'failed', outcome: 'cancelled' };
    }
    if (err instanceof WaitError) return finish('waiting', err.message, err.nextCheckMs);
    const message = (err as Error).message;
    if (isRetryable(err)) {
      // Retry the failed step later (exponential backoff), up to retry.attempts attempts.
      const failed = await db
        .selectFrom('steps')
        .select(['step_id', 'attempts'])
        .where('run_id', '=', runId)
        .where('state', '=', 'failed')
        .orderBy('finished_ms', 'desc')
        .executeTakeFirst();
      const { attempts, backoffMs } = app.config.retry;
      if (failed && failed.attempts < attempts) {
        const wait = backoffMs * 2 ** (failed.attempts - 1);
        return finish(
          'waiting',
          `step ${failed.step_id} failed (attempt ${failed.attempts} of ${attempts}): ${message}; retrying in ${Math.round(wait / 1000)} s`,
          now() + wait,
        );
      }
    }
    const rejected = message.startsWith('candidate ');
    if (err instanceof RolledBackError)
      await notifyRun(
        app,
        runId,
        model,
        'rolled_back',
        message,
        `Run ${runId}: the deployment was verified and failed.`,
        {},
      );
    else
      await notifyRun(
        app,
        runId,
        model,
        rejected ? 'rejected' : 'run_failed',
        `${model}: ${rejected ? `candidate of ${runId} rejected` : `run ${runId} failed`}`,
        message,
        { run: runId },
      );
    return finish('failed', message);
  }
}

/** Remote training never blocks: one submit or poll, then the run parks until the next check. */
async function remoteTrainingStep(app: AppContext, model: string, datasetTag: string, runId: string) {
  const r = await advanceRemoteTraining(app, model, { datasetTag, key: runId });
  if (!('job' in r)) throw new WaitError(r.nextCheckMs, r.status);
  return r.job;
}

/**
 * `refit cancel` from any process reaches a local training in flight: while `fn` runs, the run's
 * state is polled and the signal aborts once it reads "cancelled" (the trainer's worker thread or
 * command group is then stopped).
 */
async function watchingCancel<T>(app: AppContext, runId: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const cancel = new AbortController();
  const watch = setInterval(() => {
    void app.store.db
      .selectFrom('runs')
      .select('state')
      .where('id', '=', runId)
      .executeTakeFirst()
      .then((r) => r?.state === 'cancelled' && cancel.abort())
      .catch(() => {});
  }, CANCEL_POLL_MS);
  try {
    return await fn(cancel.signal);
  } finally {
    clearInterval(watch);
  }
}

function metricOf(m: Metrics, key: string): number | null {
  const v = (m as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : null;
}

/**
 * Records the run's event in the outbox (idempotent by run id and kind) and tries to deliver it
 * now; what does not go out now is retried by later ticks. Never throws: notifying is not the run.
 */
async function notifyRun(
  app: AppContext,
  runId: string,
  model: string,
  kind: NotifyEvent['kind'],
  title: string,
  text: string,
  data: Record<string, unknown>,
): Promise<number> {
  try {
    const event: NotifyEvent = {
      id: `${runId}:${kind}`,
      kind,
      model,
      problem: kind === 'promoted' ? 'deployments' : kind,
      title,
      text,
      data: { run: runId, ...data },
      atMs: app.clock.now(),
    };
    const queued = await notify(app, event);
    await deliverDue(app, { eventIds: [event.id] });
    return queued;
  } catch (err) {
    app.logger.warn(`could not record the notification of ${runId}: ${(err as Error).message}`);
    return 0;
  }
}

async function championVersion(app: AppContext, model: string) {
  const alias = await app.store.db
    .selectFrom('aliases')
    .select('version')
    .where('model', '=', model)
    .where('alias', '=', CHAMPION)
    .executeTakeFirst();
  return alias ? getVersion(app, model, alias.version) : null;
}

/** "spam v4 retrained on v20261122_031200 and deployed: f1_macro 0.962 (champion v3: 0.941)" */
function headlineOf(
  model: string,
  version: number,
  cand: Metrics,
  champ: Metrics | null,
  champVersion: number | null,
  tag: string,
): string {
  const key = cand.task === 'classification' ? 'f1_macro' : 'rmse';
  const v = (m: Metrics) => ((m as unknown as Record<string, number>)[key] ?? NaN).toFixed(3);
  return `${model} v${version} retrained on ${tag} and deployed: ${key} ${v(cand)}${champ ? ` (champion v${champVersion}: ${v(champ)})` : ' (first model)'}`;
}

async function recordDecision(
  app: AppContext,
  model: string,
  runId: string,
  action: string,
  reason: string,
  details: unknown,
): Promise<void> {
  const at = app.clock.now();
  // One decision of each kind per run: a resumed run does not record it twice.
  await app.store.db
    .insertInto('decisions')
    .values({
      id: `dec_${runId}_${action}`,
      model,
      at_ms: at,
      action,
      actor: `run:${runId}`,
      reason,
      details: JSON.stringify(details),
      run_id: runId,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
