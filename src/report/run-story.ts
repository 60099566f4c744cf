/**
 * A run's story, the read model of `refit report`, the pull-request comment and the dashboard's
 * run page: the decision that queued it (reason, signals, rules, budget), the dataset version and
 * its validation, the training job (executor, params, duration, the log's tail), candidate against
 * champion with deltas and the confusion matrix, every gate check, the approval, deployment,
 * verification and rollback — and the line's online accuracy over time with its marks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { NotFoundError } from '../core/errors.js';
import type { GateCheck } from '../core/gate.js';
import { metricNumber, REPORTED_METRICS } from '../core/metric-names.js';
import type { ValidationCheck, ValidationReport } from '../datasets/validate.js';
import type { Metrics } from '../ml/metrics/evaluate-rows.js';
import { STEP } from '../pipeline/step-ids.js';
import { PIPELINE } from '../pipeline/steps/index.js';
import { getApproval, type Approval } from '../stores/approvals.js';
import { findDataset, type DatasetRecord } from '../stores/datasets.js';
import { listDecisions, type DecisionView } from '../stores/decisions.js';
import { getJob } from '../stores/jobs.js';
import { accuracyTimeline } from '../stores/monitoring.js';
import { getRun, listRuns, type RunView } from '../stores/runs.js';
import { getStep } from '../stores/steps.js';

const DAY = 86_400_000;
/** Lines of the training log a report shows. */
export const LOG_TAIL_LINES = 20;

export interface MetricDelta {
  metric: string;
  candidate: number | null;
  champion: number | null;
  delta: number | null;
}

export interface TimelinePoint {
  atMs: number;
  /** Reviewed predictions that day, and the share that was right. */
  total: number;
  accuracy: number;
}

export interface TimelineMark {
  atMs: number;
  kind: 'retrain' | 'promote' | 'reject' | 'rollback';
  label: string;
  runId: string | null;
}

export interface RunStory {
  run: RunView;
  decision: DecisionView | null;
  dataset: (DatasetRecord & { validation: ValidationSummary | null }) | null;
  training: {
    id: string;
    executor: string;
    params: Record<string, unknown>;
    durationMs: number | null;
    codeVersion: string | null;
    reported: Record<string, unknown> | null;
    logTail: string[];
    error: string | null;
  } | null;
  evaluation: {
    rows: number;
    candidate: Metrics;
    champion: Metrics | null;
    championVersion: number | null;
    deltas: MetricDelta[];
  } | null;
  gate: { blessed: boolean; summary: string; checks: GateCheck[] } | null;
  version: number | null;
  approval: Approval | null;
  deploy: { promoted: number; target: string; pushed: string } | null;
  verify: { passed: boolean; reason: string } | null;
  rollback: { to: number | null; detail: string } | null;
  /** Decisions this run recorded: bless/reject, promote, rollback. */
  verdicts: DecisionView[];
  timeline: { points: TimelinePoint[]; marks: TimelineMark[] };
}

export interface ValidationSummary {
  passed: boolean;
  checks: ValidationCheck[];
  failures: string[];
  driftShare: number | null;
  counts: Record<string, number>;
}

/** The story of `runId`, or of the latest run (of `model`, if given) when it is omitted. */
export async function readRunStory(app: AppContext, runId?: string, model?: string): Promise<RunStory> {
  const id = runId ?? (await listRuns(app.store, { model, limit: 1 }))[0]?.id;
  if (!id) throw new NotFoundError(model ? `${model} has no runs yet` : 'there are no runs yet: see `refit run`');
  const run = await getRun(app.store, id, { steps: true });
  if (!run) throw new NotFoundError(`no run ${id}: see \`refit runs\``);
  const results = await stepResults(app, id);
  const decisions = await listDecisions(app.store, { runId: id, limit: 100 });
  const decision = decisions.find((d) => d.id === run.decisionId) ?? null;
  const train = results.get(STEP.train) as { id: string } | undefined;
  return {
    run,
    decision,
    dataset: await datasetOf(app, run, results),
    training: train ? await trainingOf(app, train.id) : null,
    evaluation: evaluationOf(results.get(STEP.evaluate)),
    gate: (results.get(STEP.gate) as RunStory['gate']) ?? gateFromDecisions(decisions, id),
    version: (results.get(STEP.register) as { version: number } | undefined)?.version ?? null,
    approval: await getApproval(app.store, id),
    deploy: (results.get(STEP.deploy) as RunStory['deploy']) ?? null,
    verify: (results.get(STEP.verify) as RunStory['verify']) ?? null,
    rollback: (results.get(STEP.rollback) as RunStory['rollback']) ?? null,
    verdicts: decisions.filter((d) => d.runId === id && d.id !== run.decisionId).reverse(),
    timeline: await lineTimeline(app, run.model),
  };
}

/** Every finished step's stored result, held to its step's schema. */
async function stepResults(app: AppContext, runId: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const step of PIPELINE) {
    const row = await getStep(app.store, runId, step.id);
    if (row?.state !== 'succeeded') continue;
    const parsed = step.result.safeParse(row.result);
    if (parsed.success) out.set(step.id, parsed.data);
  }
  return out;
}

async function datasetOf(app: AppContext, run: RunView, results: Map<string, unknown>) {
  const prepared = results.get(STEP.prepare) as { tag: string } | undefined;
  if (!prepared) return null;
  const record = await findDataset(app.store, run.model, { tag: prepared.tag });
  if (!record) return null;
  return { ...record, validation: validationOf(app, run) };
}

/** The validation report the validate step wrote, passed or failed (a failed one stops the run). */
function validationOf(app: AppContext, run: RunView): ValidationSummary | null {
  const file = join(app.config.artifactsDir, 'reports', run.model, run.id, 'validation.json');
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
  return { passed: r.passed, checks: r.checks, failures: r.failures, driftShare: r.driftShare, counts: r.counts };
}

async function trainingOf(app: AppContext, jobId: string): Promise<RunStory['training']> {
  const job = await getJob(app.store, jobId);
  if (!job) return null;
  const lines = job.logs.split('\n').filter((l) => l.trim());
  return {
    id: job.id,
    executor: job.executor,
    params: job.params,
    durationMs: job.finishedMs === null ? null : job.finishedMs - job.startedMs,
    codeVersion: job.codeVersion,
    reported: job.reportedMetrics,
    logTail: lines.slice(-LOG_TAIL_LINES),
    error: job.error,
  };
}

function evaluationOf(stored: unknown): RunStory['evaluation'] {
  if (!stored) return null;
  const e = stored as { rows: number; candidate: Metrics; champion: Metrics | null; championVersion: number | null };
  const num = metricNumber;
  const deltas = REPORTED_METRICS.filter((k) => num(e.candidate, k) !== null).map((metric) => {
    const candidate = num(e.candidate, metric);
    const champion = num(e.champion, metric);
    const delta = candidate !== null && champion !== null ? candidate - champion : null;
    return { metric, candidate, champion, delta };
  });
  return { rows: e.rows, candidate: e.candidate, champion: e.champion, championVersion: e.championVersion, deltas };
}

/** A rejected run's gate result is not a stored step result (the step stopped the run): its decision holds it. */
function gateFromDecisions(decisions: DecisionView[], runId: string): RunStory['gate'] {
  const d = decisions.find((x) => x.runId === runId && (x.action === 'reject' || x.action === 'bless'));
  const gate = d?.details.gate as RunStory['gate'] | undefined;
  return gate ?? null;
}

const MARK_OF: Record<string, TimelineMark['kind']> = {
  retrain: 'retrain',
  promote: 'promote',
  reject: 'reject',
  rollback: 'rollback',
};

/** A line's daily online accuracy over every version, with its retrain, promotion, rejection and rollback marks. */
export async function lineTimeline(app: AppContext, model: string): Promise<RunStory['timeline']> {
  const buckets = await accuracyTimeline(app.store, model, DAY);
  const points = buckets.map((b) => ({ atMs: b.atMs, total: b.total, accuracy: b.correct / b.total }));
  // Only the decisions that mark the chart: a busy line records a skip on every tick.
  const marked = await listDecisions(app.store, { model, actions: Object.keys(MARK_OF), limit: 2000 });
  const marks = marked
    .map((d) => ({ atMs: d.atMs, kind: MARK_OF[d.action]!, label: d.reason, runId: d.runId }))
    .reverse();
  return { points, marks };
}
