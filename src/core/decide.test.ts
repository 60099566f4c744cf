import { describe, expect, it } from 'vitest';
import { decide, type DecisionInput } from './decide.js';
import type { Signals } from './glossary.js';

const T0 = Date.parse('2026-11-22T12:00:00Z');
const H = 3_600_000;

const signals = (over: Partial<Signals> = {}): Signals => ({
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
  ...over,
});

const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  model: 'spam',
  nowMs: T0,
  signals: signals(),
  mode: 'any',
  rules: [
    { kind: 'threshold', id: 'mis', signal: 'misclassified', op: '>=', value: 50, consecutive: 1 },
    { kind: 'threshold', id: 'acc', signal: 'online_accuracy', op: '<', value: 0.9, consecutive: 3 },
  ],
  streaks: {},
  cron: { previousFireMs: {}, sinceMs: T0 - 100 * H },
  guards: {
    inFlightRunId: null,
    runsInFlight: 0,
    maxRunsInFlight: null,
    retrainsLastDay: 0,
    maxRetrainsPerDay: null,
    minIntervalMs: 0,
    lastRetrainMs: null,
  },
  budgetPolicy: { capacity: 2, refill: 1 / (12 * 3600), cost: 1, needGain: 1, backoff: 2 },
  budgetState: null,
  force: false,
  spend: true,
  ...over,
});

describe('decide', () => {
  it('skips with the numbers of every unmet rule', () => {
    const d = decide(input({ signals: signals({ misclassified: 12, online_accuracy: 0.95 }) }));
    expect(d.action).toBe('skip');
    expect(d.reason).toBe(
      'skip: no trigger met (misclassified 12 < 50; online_accuracy 0.95 >= 0.9 (0 of 3 consecutive checks))',
    );
    expect(d.budget.next).toEqual({ tokens: 2, lastMs: null, rejections: 0 });
  });

  it('retrains and spends one token', () => {
    const d = decide(input({ signals: signals({ misclassified: 62 }) }));
    expect(d.action).toBe('retrain');
    expect(d.reason).toBe('retrain: misclassified 62 >= 50; budget had 2 of 2 tokens, spends 1');
    expect(d.budget.next.tokens).toBe(1);
  });

  it('hysteresis: fires on the third consecutive check only, and a miss resets the streak', () => {
    const s = signals({ online_accuracy: 0.8 });
    expect(decide(input({ signals: s, streaks: { acc: 0 } })).action).toBe('skip');
    expect(decide(input({ signals: s, streaks: { acc: 1 } })).nextStreaks.acc).toBe(2);
    const third = decide(input({ signals: s, streaks: { acc: 2 } }));
    expect(third.action).toBe('retrain');
    expect(third.reason).toContain('online_accuracy 0.8 < 0.9 (3 of 3 consecutive checks)');
    expect(decide(input({ signals: signals({ online_accuracy: 0.95 }), streaks: { acc: 2 } })).nextStreaks.acc).toBe(0);
  });

  it('a signal without data never fires and resets the streak', () => {
    const d = decide(input({ streaks: { acc: 2 } }));
    expect(d.rules.find((r) => r.id === 'acc')).toMatchObject({
      met: false,
      streak: 0,
      detail: 'online_accuracy has no data yet',
    });
  });

  it('all-mode requires every rule', () => {
    const d = decide(input({ mode: 'all', signals: signals({ misclassified: 60, online_accuracy: 0.95 }) }));
    expect(d.action).toBe('skip');
    expect(d.reason).toMatch(/^skip: 1 of 2 triggers met, all required/);
  });

  it('blocked by the budget says how much is missing and when it comes', () => {
    const d = decide(
      input({ signals: signals({ misclassified: 60 }), budgetState: { tokens: 0.25, lastMs: T0, rejections: 0 } }),
    );
    expect(d.action).toBe('blocked');
    expect(d.reason).toBe(
      'blocked: misclassified 60 >= 50, but the retrain budget has 0.25 of the 1 tokens needed; enough in 9h',
    );
    expect(d.budget.next.tokens).toBe(0.25);
  });

  it('blocked by a run in flight even when forced', () => {
    const d = decide(input({ force: true, guards: { ...input().guards, inFlightRunId: 'run_1' } }));
    expect(d.action).toBe('blocked');
    expect(d.reason).toBe('blocked: forced by a manual trigger, but run run_1 is still in flight for spam');
  });

  it('blocked by the minimum interval and the daily cap', () => {
    const g = {
      ...input().guards,
      minIntervalMs: 6 * H,
      lastRetrainMs: T0 - 2 * H,
      maxRetrainsPerDay: 2,
      retrainsLastDay: 2,
    };
    const d = decide(input({ signals: signals({ misclassified: 60 }), guards: g }));
    expect(d.action).toBe('blocked');
    expect(d.reason).toContain(
      'the last retrain was 2h ago, less than the minimum interval of 6h (next allowed in 4h)',
    );
    expect(d.reason).toContain('2 retrains in the last 24h reached the daily maximum of 2');
  });

  it('blocked by the global in-flight cap', () => {
    const g = { ...input().guards, runsInFlight: 3, maxRunsInFlight: 3 };
    const d = decide(input({ signals: signals({ misclassified: 60 }), guards: g }));
    expect(d.reason).toContain('3 runs are in flight across all model lines (max 3)');
  });

  it('force bypasses triggers and budget and charges nothing', () => {
    const d = decide(input({ force: true, budgetState: { tokens: 0, lastMs: T0, rejections: 3 } }));
    expect(d.action).toBe('retrain');
    expect(d.forced).toBe(true);
    expect(d.reason).toContain('no tokens charged');
    expect(d.budget.next).toEqual({ tokens: 0, lastMs: T0, rejections: 3 });
  });

  it('cron fires when a scheduled time passed since the last retrain', () => {
    const rules = [{ kind: 'cron' as const, id: 'weekly', cron: '0 3 * * 1' }];
    const due = decide(input({ rules, cron: { previousFireMs: { weekly: T0 - H }, sinceMs: T0 - 2 * H } }));
    expect(due.action).toBe('retrain');
    const notDue = decide(input({ rules, cron: { previousFireMs: { weekly: T0 - 3 * H }, sinceMs: T0 - 2 * H } }));
    expect(notDue.action).toBe('skip');
  });

  it('need speeds up the refill and the reason says so', () => {
    const d = decide(input({ signals: signals({ misclassified: 60, accuracy_drop: 0.2 }) }));
    expect(d.budget.effectiveRatePerSecond).toBeCloseTo((1 / (12 * 3600)) * 1.2, 15);
    expect(d.reason).toContain('refill sped up by need 0.2');
  });
});
