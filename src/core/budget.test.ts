import { describe, expect, it } from 'vitest';
import { checkBudget, retrainCost, type BudgetPolicy } from './budget.js';

const H = 3_600_000;
const policy: BudgetPolicy = { capacity: 2, refill: 1 / (12 * 3600), cost: 1, needGain: 1, backoff: 2 };
const T0 = Date.parse('2026-11-22T00:00:00Z');

describe('adaptive budget', () => {
  it('starts full and spends only when asked to', () => {
    const plan = checkBudget(policy, null, T0, 0, false);
    expect(plan).toMatchObject({ allowed: true, tokens: 2, cost: 1, msUntilAffordable: 0 });
    expect(plan.next).toEqual({ tokens: 2, lastMs: null, rejections: 0 });
    const run = checkBudget(policy, null, T0, 0, true);
    expect(run.next).toEqual({ tokens: 1, lastMs: T0, rejections: 0 });
  });

  it('need speeds up the refill: need 1 with gain 1 halves the wait', () => {
    const empty = { tokens: 0, lastMs: T0, rejections: 0 };
    expect(checkBudget(policy, empty, T0, 0, false).msUntilAffordable).toBe(12 * H);
    expect(checkBudget(policy, empty, T0, 1, false).msUntilAffordable).toBe(6 * H);
    expect(checkBudget(policy, empty, T0 + 6 * H, 1, false).allowed).toBe(true);
    expect(checkBudget(policy, empty, T0 + 6 * H, 0, false).allowed).toBe(false);
    // need is clamped to [0, 1]
    expect(checkBudget(policy, empty, T0, 5, false).need).toBe(1);
    expect(checkBudget(policy, empty, T0, -3, false).need).toBe(0);
  });

  it('rejections raise the cost, capped at capacity', () => {
    expect(retrainCost(policy, 0)).toBe(1);
    expect(retrainCost(policy, 1)).toBe(2);
    expect(retrainCost(policy, 5)).toBe(2);
    const v = checkBudget(policy, { tokens: 1.5, lastMs: T0, rejections: 1 }, T0, 0, true);
    expect(v.allowed).toBe(false);
    expect(v.next).toEqual({ tokens: 1.5, lastMs: T0, rejections: 1 });
    expect(v.msUntilAffordable).toBe(6 * H);
  });
});
