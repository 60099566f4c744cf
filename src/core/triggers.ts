/**
 * Triggers: rules over signals. A threshold rule compares one signal with a value; with
 * `consecutive: N` (hysteresis) it fires only when its condition held on N consecutive checks.
 * A cron rule fires when a scheduled time has passed since the last retrain. Rules combine with
 * `any` or `all`. Pure: the hysteresis streaks come in and go out; the store keeps them.
 */
import type { Signals, SignalName } from './glossary.js';

export type Comparison = '>=' | '>' | '<=' | '<' | '==' | '!=';

export interface ThresholdRule {
  kind: 'threshold';
  id: string;
  signal: SignalName;
  op: Comparison;
  value: number;
  /** Checks in a row the condition must hold before the rule fires. Default 1. */
  consecutive: number;
}

export interface CronRule {
  kind: 'cron';
  id: string;
  cron: string;
}

export type TriggerRule = ThresholdRule | CronRule;

export interface RuleVerdict {
  id: string;
  met: boolean;
  /** Whether the raw condition held on this check (before hysteresis). */
  condition: boolean;
  /** Consecutive checks (including this one) on which the condition held. */
  streak: number;
  detail: string;
}

export interface CronFacts {
  /** The most recent scheduled time at or before now, per cron rule id (ms), or null. */
  previousFireMs: Record<string, number | null>;
  /** The last retrain (or the model line's creation when never retrained), ms. */
  sinceMs: number;
}

export function compare(a: number, op: Comparison, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '<':
      return a < b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

const NEGATION: Record<Comparison, Comparison> = { '>=': '<', '>': '<=', '<=': '>', '<': '>=', '==': '!=', '!=': '==' };

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

export function evaluateRule(
  rule: TriggerRule,
  signals: Signals,
  previousStreak: number,
  cron: CronFacts,
): RuleVerdict {
  if (rule.kind === 'cron') {
    const fire = cron.previousFireMs[rule.id] ?? null;
    const met = fire !== null && fire > cron.sinceMs;
    const detail = met
      ? `schedule "${rule.cron}" was due at ${new Date(fire!).toISOString()}`
      : `schedule "${rule.cron}" not due since ${new Date(cron.sinceMs).toISOString()}`;
    return { id: rule.id, met, condition: met, streak: met ? 1 : 0, detail };
  }
  const value = signals[rule.signal];
  if (value === null) {
    return { id: rule.id, met: false, condition: false, streak: 0, detail: `${rule.signal} has no data yet` };
  }
  const condition = compare(value, rule.op, rule.value);
  const streak = condition ? previousStreak + 1 : 0;
  const met = condition && streak >= rule.consecutive;
  const shown = `${rule.signal} ${formatNumber(value)}`;
  let detail = condition
    ? `${shown} ${rule.op} ${formatNumber(rule.value)}`
    : `${shown} ${NEGATION[rule.op]} ${formatNumber(rule.value)}`;
  if (rule.consecutive > 1) detail += ` (${streak} of ${rule.consecutive} consecutive checks)`;
  return { id: rule.id, met, condition, streak, detail };
}

export function combine(mode: 'any' | 'all', verdicts: RuleVerdict[]): boolean {
  if (verdicts.length === 0) return false;
  return mode === 'any' ? verdicts.some((v) => v.met) : verdicts.every((v) => v.met);
}
