/**
 * The retrain decision for one model line: triggers, then guards, then the budget. Pure — the
 * caller gathers the facts (signals, streaks, budget state, guard counts) and, for `run`, persists
 * what comes back (streaks, budget state, the decision and a queued run).
 *
 * Order and precedence:
 *  1. Rules are evaluated (always, so hysteresis streaks advance on every real check).
 *  2. Not triggered and not forced → `skip`.
 *  3. A run already in flight for the model line, or the global in-flight cap reached → `blocked`
 *     (even when forced: never two runs for one model line).
 *  4. Unless forced: the minimum interval since the last retrain, the daily cap and the budget;
 *     any failing → `blocked`. A forced retrain bypasses these and charges nothing.
 */
import { checkBudget, type BudgetPolicy, type BudgetState, type BudgetVerdict } from './budget.js';
import { formatDuration } from './duration.js';
import type { DecisionAction, Signals } from './glossary.js';
import { combine, evaluateRule, formatNumber, type CronFacts, type RuleVerdict, type TriggerRule } from './triggers.js';

export interface GuardFacts {
  /** Id of a run in flight for this model line, if any. */
  inFlightRunId: string | null;
  /** Runs in flight across all model lines and instances. */
  runsInFlight: number;
  /** Max runs in flight across all model lines; null for no cap. */
  maxRunsInFlight: number | null;
  /** Retrains started in the 24 hours before now. */
  retrainsLastDay: number;
  /** Max retrains per rolling 24 hours; null for no cap. */
  maxRetrainsPerDay: number | null;
  /** Minimum time between two retrains, ms; 0 for none. */
  minIntervalMs: number;
  /** Start of the last retrain, ms; null if never. */
  lastRetrainMs: number | null;
}

export interface DecisionInput {
  model: string;
  nowMs: number;
  signals: Signals;
  mode: 'any' | 'all';
  rules: TriggerRule[];
  /** Stored hysteresis streak per rule id. */
  streaks: Record<string, number>;
  cron: CronFacts;
  guards: GuardFacts;
  budgetPolicy: BudgetPolicy;
  budgetState: BudgetState | null;
  /** A manual trigger (`refit run --force MODEL`). */
  force: boolean;
  /** true for `run` (spend tokens), false for `plan`. */
  spend: boolean;
}

export interface GuardVerdict {
  name: 'in_flight' | 'max_runs_in_flight' | 'min_interval' | 'max_retrains_per_day';
  ok: boolean;
  detail: string;
}

export interface Decision {
  model: string;
  action: DecisionAction;
  /** One sentence with the numbers behind it. */
  reason: string;
  forced: boolean;
  triggered: boolean;
  rules: RuleVerdict[];
  guards: GuardVerdict[];
  budget: BudgetVerdict;
  signals: Signals;
  /** Streaks to persist after a real check. */
  nextStreaks: Record<string, number>;
}

export function decide(input: DecisionInput): Decision {
  const rules = input.rules.map((r) => evaluateRule(r, input.signals, input.streaks[r.id] ?? 0, input.cron));
  const nextStreaks = Object.fromEntries(rules.map((r) => [r.id, r.streak]));
  const triggered = combine(input.mode, rules);
  const guards = evaluateGuards(input);
  const hard = guards.filter((g) => !g.ok && (g.name === 'in_flight' || g.name === 'max_runs_in_flight'));
  const soft = guards.filter((g) => !g.ok && !hard.includes(g));
  const base = {
    model: input.model,
    forced: input.force,
    triggered,
    rules,
    guards,
    signals: input.signals,
    nextStreaks,
  };
  const trigText = triggerText(input.mode, rules, triggered);

  if (!triggered && !input.force) {
    const budget = checkBudget(input.budgetPolicy, input.budgetState, input.nowMs, needOf(input.signals), false);
    return { ...base, action: 'skip', budget, reason: `skip: ${trigText}` };
  }
  const why = input.force ? 'forced by a manual trigger' : trigText;
  if (hard.length > 0) {
    const budget = checkBudget(input.budgetPolicy, input.budgetState, input.nowMs, needOf(input.signals), false);
    return {
      ...base,
      action: 'blocked',
      budget,
      reason: `blocked: ${why}, but ${hard.map((g) => g.detail).join('; ')}`,
    };
  }
  if (input.force) {
    const budget = checkBudget(input.budgetPolicy, input.budgetState, input.nowMs, needOf(input.signals), false);
    return {
      ...base,
      action: 'retrain',
      budget,
      reason: `retrain: ${why}; triggers, interval, daily cap and budget bypassed, no tokens charged`,
    };
  }
  if (soft.length > 0) {
    const budget = checkBudget(input.budgetPolicy, input.budgetState, input.nowMs, needOf(input.signals), false);
    return {
      ...base,
      action: 'blocked',
      budget,
      reason: `blocked: ${why}, but ${soft.map((g) => g.detail).join('; ')}`,
    };
  }
  const budget = checkBudget(input.budgetPolicy, input.budgetState, input.nowMs, needOf(input.signals), input.spend);
  if (!budget.allowed) {
    return { ...base, action: 'blocked', budget, reason: `blocked: ${why}, but ${budgetShortfall(budget)}` };
  }
  return { ...base, action: 'retrain', budget, reason: `retrain: ${why}; ${budgetText(budget)}` };
}

/** Need for the adaptive refill: the larger of the accuracy drop and the drift score. */
export function needOf(signals: Signals): number {
  return Math.max(signals.accuracy_drop ?? 0, signals.drift_score ?? 0);
}

function triggerText(mode: 'any' | 'all', rules: RuleVerdict[], triggered: boolean): string {
  if (rules.length === 0) return 'no triggers configured';
  const met = rules.filter((r) => r.met);
  if (triggered) return met.map((r) => r.detail).join(' and ');
  const unmet = rules.filter((r) => !r.met);
  const lead = mode === 'any' ? 'no trigger met' : `${met.length} of ${rules.length} triggers met, all required`;
  return `${lead} (${unmet.map((r) => r.detail).join('; ')})`;
}

function budgetText(b: BudgetVerdict): string {
  const backoff =
    b.rejections > 0 ? ` (raised by ${b.rejections} rejected candidate${b.rejections > 1 ? 's' : ''})` : '';
  const need = b.need > 0 ? `, refill sped up by need ${formatNumber(b.need)}` : '';
  return `budget had ${formatNumber(b.tokens)} of ${formatNumber(b.capacity)} tokens, spends ${formatNumber(b.cost)}${backoff}${need}`;
}

function budgetShortfall(b: BudgetVerdict): string {
  const when =
    b.msUntilAffordable === null
      ? 'the bucket never refills (rate 0)'
      : `enough in ${formatDuration(b.msUntilAffordable)}`;
  return `the retrain budget has ${formatNumber(b.tokens)} of the ${formatNumber(b.cost)} tokens needed; ${when}`;
}

function evaluateGuards(input: DecisionInput): GuardVerdict[] {
  const g = input.guards;
  const out: GuardVerdict[] = [];
  out.push(
    g.inFlightRunId
      ? { name: 'in_flight', ok: false, detail: `run ${g.inFlightRunId} is still in flight for ${input.model}` }
      : { name: 'in_flight', ok: true, detail: 'no run in flight' },
  );
  if (g.maxRunsInFlight !== null) {
    const ok = g.runsInFlight < g.maxRunsInFlight;
    out.push({
      name: 'max_runs_in_flight',
      ok,
      detail: ok
        ? `${g.runsInFlight} of ${g.maxRunsInFlight} runs in flight`
        : `${g.runsInFlight} runs are in flight across all model lines (max ${g.maxRunsInFlight})`,
    });
  }
  if (g.minIntervalMs > 0 && g.lastRetrainMs !== null) {
    const since = input.nowMs - g.lastRetrainMs;
    const ok = since >= g.minIntervalMs;
    out.push({
      name: 'min_interval',
      ok,
      detail: ok
        ? `last retrain ${formatDuration(since)} ago`
        : `the last retrain was ${formatDuration(since)} ago, less than the minimum interval of ${formatDuration(g.minIntervalMs)} (next allowed in ${formatDuration(g.minIntervalMs - since)})`,
    });
  }
  if (g.maxRetrainsPerDay !== null) {
    const ok = g.retrainsLastDay < g.maxRetrainsPerDay;
    out.push({
      name: 'max_retrains_per_day',
      ok,
      detail: ok
        ? `${g.retrainsLastDay} of ${g.maxRetrainsPerDay} retrains in the last 24h`
        : `${g.retrainsLastDay} retrains in the last 24h reached the daily maximum of ${g.maxRetrainsPerDay}`,
    });
  }
  return out;
}
