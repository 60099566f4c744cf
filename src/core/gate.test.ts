import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateRule } from './gate.js';

const lookup = (m: Record<string, number>) => (metric: string, cls?: string) =>
  m[cls ? `${metric}[${cls}]` : metric] ?? null;

describe('gate', () => {
  it('value thresholds are inclusive at both ends', () => {
    const rules: GateRule[] = [{ metric: 'f1_macro', min: 0.8, max: 0.99 }];
    expect(evaluateGate(rules, lookup({ f1_macro: 0.8 }), null).blessed).toBe(true);
    expect(evaluateGate(rules, lookup({ f1_macro: 0.99 }), null).blessed).toBe(true);
    const low = evaluateGate(rules, lookup({ f1_macro: 0.7999 }), null);
    expect(low.blessed).toBe(false);
    expect(low.summary).toBe('rejected: f1_macro 0.7999 is below the minimum 0.8');
  });

  it('change thresholds: equal values pass a zero minimum change and fail a positive one', () => {
    const cand = lookup({ f1_macro: 0.9 });
    const champ = lookup({ f1_macro: 0.9 });
    expect(evaluateGate([{ metric: 'f1_macro', minChange: 0 }], cand, champ).blessed).toBe(true);
    const r = evaluateGate([{ metric: 'f1_macro', minChange: 0.01 }], cand, champ);
    expect(r.blessed).toBe(false);
    expect(r.checks[0]!.reason).toBe(
      'f1_macro 0.9 vs champion 0.9: +0 (+0.0%) does not meet the required +0.01 (higher is better)',
    );
  });

  it('relative change and lower-is-better metrics', () => {
    const r = evaluateGate(
      [
        { metric: 'accuracy', minRelativeChange: 0.02 },
        { metric: 'log_loss', minChange: 0.05 },
      ],
      lookup({ accuracy: 0.962, log_loss: 0.2 }),
      lookup({ accuracy: 0.941, log_loss: 0.3 }),
    );
    expect(r.blessed).toBe(true);
    expect(r.checks[0]!.reason).toBe(
      'accuracy 0.962 vs champion 0.941: +0.021 (+2.2%) meets the required +2.0% (higher is better)',
    );
    expect(r.checks[1]!.reason).toContain(
      'log_loss 0.2 vs champion 0.3: −0.1 (−33.3%) meets the required −0.05 (lower is better)',
    );
    const worse = evaluateGate(
      [{ metric: 'log_loss', minChange: 0 }],
      lookup({ log_loss: 0.31 }),
      lookup({ log_loss: 0.3 }),
    );
    expect(worse.blessed).toBe(false);
  });

  it('a zero champion value: ratio by the sign of the difference, and said so', () => {
    const r = evaluateGate(
      [{ metric: 'recall', class: 'spam', minRelativeChange: 0.1 }],
      lookup({ 'recall[spam]': 0.2 }),
      lookup({ 'recall[spam]': 0 }),
    );
    expect(r.blessed).toBe(true);
    expect(r.checks[0]!.reason).toContain('(+∞%)');
    expect(r.checks[0]!.reason).toContain('champion value 0');
    expect(
      evaluateGate(
        [{ metric: 'recall', class: 'spam', minRelativeChange: 0 }],
        lookup({ 'recall[spam]': 0 }),
        lookup({ 'recall[spam]': 0 }),
      ).blessed,
    ).toBe(true);
  });

  it('a missing metric fails; the first model skips change checks and says so', () => {
    const missing = evaluateGate([{ metric: 'roc_auc', min: 0.9 }], lookup({}), null);
    expect(missing.summary).toBe(
      'rejected: roc_auc was not computed for the candidate, but the gate requires it >= 0.9',
    );
    const first = evaluateGate([{ metric: 'f1_macro', min: 0.5, minChange: 0 }], lookup({ f1_macro: 0.7 }), null);
    expect(first.blessed).toBe(true);
    expect(first.checks[1]).toMatchObject({
      skipped: true,
      reason: 'f1_macro change vs champion skipped: there is no champion yet (first model)',
    });
    expect(first.summary).toBe('blessed: 1 check(s) passed, 1 skipped (no champion)');
  });
});
