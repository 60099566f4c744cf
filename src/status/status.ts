/** `refit status`: the store, each model line's evidence, budget, runs in flight and last decisions. */
import type { AppContext } from '../app-context.js';
import { checkBudget } from '../core/budget.js';
import { IN_FLIGHT_STATES } from '../core/glossary.js';
import type { ModelLineConfig } from '../config/config.js';
import { championOf } from '../stores/aliases.js';
import { readDecisionFacts } from '../stores/decision-facts.js';
import { listDecisions } from '../stores/decisions.js';
import { evidenceTotals } from '../stores/predictions.js';
import { listRuns } from '../stores/runs.js';
import { monitorVerdicts, type MonitorVerdict } from '../stores/monitor-verdicts.js';
import { readEvidenceCounts, readWindowAccuracy } from '../stores/signals.js';

export interface ModelStatus {
  model: string;
  task: string;
  predictions: number;
  reviewed: number;
  examples: number;
  sinceLastDataset: { misclassified: number; correct: number; examples: number };
  champion: number | null;
  onlineAccuracy: number | null;
  windowSize: number;
  budget: { tokens: number; capacity: number; cost: number; rejections: number };
  runsInFlight: { id: string; state: string; createdMs: number }[];
  lastDecisions: { atMs: number; action: string; actor: string; reason: string; runId: string | null }[];
  /** The last monitoring verdict, and the last one that rolled back or alerted. */
  monitor: { last: MonitorVerdict | null; lastAction: MonitorVerdict | null };
}

export interface StatusReport {
  atMs: number;
  store: string;
  dialect: string;
  config: string;
  models: ModelStatus[];
}

export async function readStatus(app: AppContext): Promise<StatusReport> {
  const nowMs = app.clock.now();
  const models: ModelStatus[] = [];
  for (const line of Object.values(app.config.models)) models.push(await lineStatus(app, line, nowMs));
  return { atMs: nowMs, store: app.store.displayUrl, dialect: app.store.dialect, config: app.config.source, models };
}

/** One model line's status (`GET /v1/models/:model`). */
export async function lineStatus(app: AppContext, line: ModelLineConfig, nowMs: number): Promise<ModelStatus> {
  const { store } = app;
  const [totals, since, window, facts, inflight, decisions, champion, monitor] = await Promise.all([
    evidenceTotals(store, line.name),
    readEvidenceCounts(store, line.name, line.evidence.minReviewerConfidence),
    readWindowAccuracy(store, line, nowMs),
    readDecisionFacts(store, line.name, nowMs),
    listRuns(store, { model: line.name, states: IN_FLIGHT_STATES }),
    listDecisions(store, { model: line.name, limit: 5 }),
    championOf(store, line.name),
    monitorVerdicts(store, line.name),
  ]);
  const b = checkBudget(line.budget, facts.budget, nowMs, 0, false);
  return {
    model: line.name,
    task: line.task,
    ...totals,
    sinceLastDataset: since,
    champion,
    onlineAccuracy: window.accuracy,
    windowSize: window.n,
    budget: { tokens: b.tokens, capacity: b.capacity, cost: b.cost, rejections: b.rejections },
    runsInFlight: inflight.reverse().map((r) => ({ id: r.id, state: r.state, createdMs: r.createdMs })),
    lastDecisions: decisions.map((d) => ({
      atMs: d.atMs,
      action: d.action,
      actor: d.actor,
      reason: d.reason,
      runId: d.runId,
    })),
    monitor,
  };
}
