/**
 * One decision pass over the model lines: `plan` (dry run: computes and explains, changes nothing)
 * and `run` (the same decisions for real: records them, spends budget, queues runs). Each model
 * line is decided in its own transaction under the global decision lock, so two processes sharing
 * one database never double-spend budget nor queue two runs for one line.
 */
import { decide, type Decision, type DecisionInput } from '../core/decide.js';
import { UsageError, RefitError } from '../core/errors.js';
import type { Signals } from '../core/glossary.js';
import type { ModelLineConfig } from '../config/config.js';
import { redact } from '../config/secrets.js';
import { readSignals } from '../signals/read-signals.js';
import { readDecisionFacts, type DecisionFacts } from '../stores/decision-facts.js';
import { lockDecisions, recordDecision } from '../stores/decisions.js';
import { matchFeedback } from '../stores/evidence.js';
import { championOf } from '../stores/aliases.js';
import { driftShareOf } from '../stores/monitoring.js';
import { inTransaction } from '../stores/store.js';
import { notify } from '../notify/outbox.js';
import type { AppContext } from '../app-context.js';
import { previousFire } from './cron.js';
import { plannedActions } from './planned-actions.js';

export interface DecideOptions {
  /** Model lines to decide; default all. */
  models?: string[];
  /** Model lines with a manual trigger (`--force`). */
  force?: string[];
  /** true: plan (nothing is written). */
  dryRun: boolean;
  /** Who asked (recorded with the decision). */
  actor: string;
}

export interface ModelOutcome {
  model: string;
  decision: Decision | null;
  /** Milliseconds until the bucket holds one more whole token; null when full or never. */
  nextTokenInMs: number | null;
  decisionId: string | null;
  runId: string | null;
  /** For a retrain: what the run will do, concretely (which Space is restarted, which URL polled). */
  actions: string[];
  /** Set when the model line could not be decided (e.g. the external count query failed). */
  error: string | null;
}

export interface DecideResult {
  atMs: number;
  dryRun: boolean;
  outcomes: ModelOutcome[];
}

export async function decideAll(app: AppContext, options: DecideOptions): Promise<DecideResult> {
  const { config, clock } = app;
  const names = options.models?.length ? options.models : Object.keys(config.models);
  for (const n of [...names, ...(options.force ?? [])]) {
    if (!config.models[n])
      throw new UsageError(
        `unknown model line "${n}": configured lines are ${Object.keys(config.models).join(', ')} (see ${config.source})`,
      );
  }
  const force = new Set(options.force ?? []);
  const atMs = clock.now();
  const outcomes: ModelOutcome[] = [];
  for (const name of names) {
    const line = config.models[name]!;
    const log = app.logger.child({ model: name });
    try {
      outcomes.push(await decideOne(app, line, force.has(name), options, atMs));
    } catch (err) {
      if (!(err instanceof RefitError)) throw err;
      const message = redact(err.message, config.secretValues);
      log.error('decision failed', { error: message });
      outcomes.push({
        model: name,
        decision: null,
        nextTokenInMs: null,
        decisionId: null,
        runId: null,
        actions: [],
        error: message,
      });
    }
  }
  return { atMs, dryRun: options.dryRun, outcomes };
}

async function decideOne(
  app: AppContext,
  line: ModelLineConfig,
  force: boolean,
  options: DecideOptions,
  nowMs: number,
): Promise<ModelOutcome> {
  const { store, config } = app;
  if (!options.dryRun) await matchFeedback(store, nowMs, null, line.name);
  // Independent reads at once (on PostgreSQL each takes its own connection).
  const [before, drift, champion] = await Promise.all([
    readDecisionFacts(store, line.name, nowMs),
    driftShareOf(store, line.name),
    championOf(store, line.name),
  ]);
  const signals = await readSignals(store, line, {
    nowMs,
    lastRetrainMs: before.lastRetrainMs,
    secrets: config.secretValues,
    driftScore: drift,
    champion,
  });
  const evaluate = (facts: DecisionFacts, spend: boolean) =>
    decide(decisionInput(app, line, { nowMs, signals, facts, force, spend }));
  const planned = (d: Decision) => (d.action === 'retrain' ? plannedActions(app, line, d.signals) : []);
  if (options.dryRun) {
    const decision = evaluate(before, false);
    const outcome = { decisionId: null, runId: null, error: null };
    return { model: line.name, decision, nextTokenInMs: nextTokenIn(decision), actions: planned(decision), ...outcome };
  }
  const result = await inTransaction(store, async (tx) => {
    await lockDecisions(tx);
    const decision = evaluate(await readDecisionFacts(tx, line.name, nowMs), true);
    const details = {
      signals: decision.signals,
      rules: decision.rules,
      guards: decision.guards,
      budget: { ...decision.budget, next: undefined },
      forced: decision.forced,
    };
    return { decision, recorded: await recordDecision(tx, decision, options.actor, nowMs, details) };
  });
  const d = result.decision;
  app.logger.child({ model: line.name, run: result.recorded.runId ?? undefined }).info(d.reason, { action: d.action });
  if (d.action === 'blocked' && !d.budget.allowed && d.guards.every((g) => g.ok))
    await tellBudgetExhausted(app, line, d, nowMs);
  return {
    model: line.name,
    decision: d,
    nextTokenInMs: nextTokenIn(d),
    decisionId: result.recorded.decisionId,
    runId: result.recorded.runId,
    actions: planned(d),
    error: null,
  };
}

interface DecisionFactsIn {
  nowMs: number;
  signals: Signals;
  facts: DecisionFacts;
  force: boolean;
  spend: boolean;
}

function decisionInput(app: AppContext, line: ModelLineConfig, x: DecisionFactsIn): DecisionInput {
  const { nowMs, facts } = x;
  const cronRules = line.triggers.rules.filter((r) => r.kind === 'cron');
  return {
    model: line.name,
    nowMs,
    signals: x.signals,
    mode: line.triggers.combine,
    rules: line.triggers.rules,
    streaks: facts.streaks,
    cron: {
      previousFireMs: Object.fromEntries(cronRules.map((r) => [r.id, previousFire(r.cron, nowMs)])),
      sinceMs: facts.lastRetrainMs ?? facts.createdMs ?? nowMs,
    },
    guards: {
      inFlightRunId: facts.inFlightRunId,
      runsInFlight: facts.runsInFlight,
      maxRunsInFlight: app.config.guards.maxRunsInFlight ?? null,
      retrainsLastDay: facts.retrainsLastDay,
      maxRetrainsPerDay: line.budget.maxRetrainsPerDay ?? null,
      minIntervalMs: line.triggers.minInterval,
      lastRetrainMs: facts.lastRetrainMs,
    },
    budgetPolicy: line.budget,
    budgetState: facts.budget,
    force: x.force,
    spend: x.spend,
  };
}

/** A retrain was wanted and only the budget said no: tell people, once per line and UTC day. */
async function tellBudgetExhausted(app: AppContext, line: ModelLineConfig, d: Decision, nowMs: number) {
  const day = new Date(nowMs).toISOString().slice(0, 10);
  await notify(app, {
    id: `budget:${line.name}:${day}`,
    kind: 'budget_exhausted',
    model: line.name,
    problem: 'budget',
    title: `${line.name}: retrain wanted but the budget is exhausted`,
    text: d.reason,
    data: { tokens: d.budget.tokens, capacity: d.budget.capacity, cost: d.budget.cost },
    atMs: nowMs,
  }).catch((err: Error) => app.logger.warn(`could not record the budget notification: ${err.message}`));
}

/** Time until the bucket (after this decision) holds one more whole token, at the effective rate. */
function nextTokenIn(d: Decision): number | null {
  const b = d.budget;
  const tokens = d.action === 'retrain' && !d.forced ? b.next.tokens : b.tokens;
  if (tokens >= b.capacity || b.effectiveRatePerSecond <= 0) return null;
  const target = Math.min(b.capacity, Math.floor(tokens + 1e-9) + 1);
  return Math.ceil(((target - tokens) / b.effectiveRatePerSecond) * 1000);
}
