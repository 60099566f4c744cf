/**
 * The adaptive retrain budget: a TokenBucket per model line plus refit's adaptations.
 *  - Need-driven refill: the bucket refills at `rate × (1 + needGain × need)`, where `need` in [0, 1]
 *    is the larger of the relative online-accuracy drop and the drift score. The rate in force at
 *    the time of the check applies to the whole interval since the last spend.
 *  - Backoff: a retrain costs `cost × backoff^rejections` tokens, capped at capacity so a retrain
 *    stays possible; `rejections` counts candidates rejected since the last promotion (reset to 0).
 * Pure: state in, verdict and new state out. The store persists the state atomically.
 */
import { TokenBucket, type TokenBucketState } from './token-bucket.js';

export interface BudgetPolicy {
  /** Tokens the bucket holds at most. */
  capacity: number;
  /** Base refill, tokens per second. */
  refill: number;
  /** Tokens one retrain costs before backoff. Default 1. */
  cost: number;
  /** Refill speed-up per unit of need. Default 1 (need 1.0 doubles the rate). */
  needGain: number;
  /** Cost multiplier per rejected candidate since the last promotion. Default 2. */
  backoff: number;
}

export interface BudgetState extends TokenBucketState {
  /** Candidates rejected since the last promotion. */
  rejections: number;
}

export interface BudgetVerdict {
  allowed: boolean;
  /** Tokens available at the time of the check (before spending). */
  tokens: number;
  capacity: number;
  cost: number;
  /** Effective refill rate in tokens per second after the need speed-up. */
  effectiveRatePerSecond: number;
  need: number;
  rejections: number;
  /** Milliseconds until the cost is affordable at the effective rate; 0 if now, null if never. */
  msUntilAffordable: number | null;
  /** State after the check: changed only when `allowed` and the caller spends. */
  next: BudgetState;
}

export function clampNeed(need: number | null | undefined): number {
  if (need === null || need === undefined || !Number.isFinite(need) || need <= 0) return 0;
  return need > 1 ? 1 : need;
}

export function retrainCost(policy: BudgetPolicy, rejections: number): number {
  const raw = policy.cost * Math.pow(policy.backoff, Math.max(0, rejections));
  return Math.min(raw, policy.capacity);
}

/**
 * Asks the budget for one retrain at `atMs`. When `spend` is false (plan), nothing is taken and
 * `next` equals the input state.
 */
export function checkBudget(
  policy: BudgetPolicy,
  state: BudgetState | null,
  atMs: number,
  need: number,
  spend: boolean,
): BudgetVerdict {
  const n = clampNeed(need);
  const effectiveRatePerSecond = policy.refill * (1 + policy.needGain * n);
  const current: BudgetState = state ?? { tokens: policy.capacity, lastMs: null, rejections: 0 };
  const bucket = new TokenBucket(
    { capacity: policy.capacity, ratePerSecond: effectiveRatePerSecond },
    { tokens: Math.min(current.tokens, policy.capacity), lastMs: current.lastMs },
  );
  const cost = retrainCost(policy, current.rejections);
  const tokens = bucket.tokensAt(atMs);
  const msUntilAffordable = bucket.msUntil(atMs, cost);
  const allowed = spend ? bucket.allowN(atMs, cost) : msUntilAffordable === 0;
  const next: BudgetState = allowed && spend ? { ...bucket.state(), rejections: current.rejections } : current;
  return {
    allowed,
    tokens,
    capacity: policy.capacity,
    cost,
    effectiveRatePerSecond,
    need: n,
    rejections: current.rejections,
    msUntilAffordable,
    next,
  };
}
