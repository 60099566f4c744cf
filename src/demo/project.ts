/**
 * The demo project's refit.yaml, per retrain policy. `refit` is refit's own: trigger rules with
 * hysteresis and the adaptive budget. The fixed policies the decision-quality benchmark compares
 * it with: `never` (no triggers), `every:N` (a forced retrain every N production events of the
 * line, no triggers), `no-budget` (refit's triggers, but every trigger retrains: no budget,
 * interval or daily cap).
 */
import { randomBytes } from 'node:crypto';

export type Policy = 'refit' | 'never' | 'no-budget' | `every:${number}`;

export const POLICIES_HELP = 'refit (triggers + adaptive budget), never, no-budget, every:N';

export function parsePolicy(text: string): Policy {
  if (text === 'refit' || text === 'never' || text === 'no-budget') return text;
  const m = /^every:(\d+)$/.exec(text);
  if (m && Number(m[1]) > 0) return text as Policy;
  throw new Error(`unknown policy "${text}": use ${POLICIES_HELP}`);
}

/** Forced retrains every N events of a line (null: none). */
export function everyN(policy: Policy): number | null {
  return policy.startsWith('every:') ? Number(policy.slice('every:'.length)) : null;
}

interface LinePolicy {
  triggers: string;
  budget: string;
}

function linePolicy(policy: Policy, refit: LinePolicy): LinePolicy {
  if (policy === 'refit') return refit;
  if (policy === 'never' || everyN(policy) !== null) return { triggers: '{ rules: [] }', budget: refit.budget };
  return {
    triggers: refit.triggers.replace(/min_interval: \w+/, 'min_interval: 0s'),
    budget: '{ capacity: 1000, refill: 1000/1h }',
  };
}

const SPAM: LinePolicy = {
  triggers: `
      min_interval: 30d
      rules:
        - { signal: misclassified, op: ">=", value: 45 }
        - { signal: accuracy_drop, op: ">=", value: 0.05, consecutive: 3 }`,
  budget: '{ capacity: 2, refill: 1/240d, cost: 1, need_gain: 3, backoff: 2, max_retrains_per_day: 1 }',
};

const WEATHER: LinePolicy = {
  triggers: `
      min_interval: 30d
      rules:
        - { signal: misclassified, op: ">=", value: 40 }
        - { signal: accuracy_drop, op: ">=", value: 0.1, consecutive: 5 }`,
  budget: '{ capacity: 2, refill: 1/90d, cost: 1, need_gain: 2, backoff: 2 }',
};

/**
 * The demo's refit.yaml; `token` is the bearer token the replay sends; `healthUrl` the weather
 * line's deployment health check (the replay answers it on a loopback port).
 */
export function demoConfig(
  policy: Policy,
  healthUrl: string | null,
  token = randomBytes(16).toString('hex'),
): { yaml: string; token: string } {
  const spam = linePolicy(policy, SPAM);
  const weather = linePolicy(policy, WEATHER);
  const yaml = `# The demo project: two model lines on real data, replayed in time order (refit demo).
store: sqlite:./.refit/refit.db
serve:
  tokens:
    - { token: "${token}", scopes: [admin] }
models:
  spam:
    task: text-classification
    labels: [ham, spam]
    evidence: { min_reviewer_confidence: 0.5, correct_ratio: 1, window: 400, baseline_accuracy: 0.97 }
    triggers: ${spam.triggers.trimStart().startsWith('{') ? spam.triggers : `\n${spam.triggers.replace(/^\n/, '')}`}
    budget: ${spam.budget}
    dataset: { mode: extend, window: 8000, recent_test_share: 0.6, splits: { train: 0.8, eval: 0.05, test: 0.15 } }
    train: { params: { C: 10 } }
    gate:
      - { metric: f1_macro, min: 0.8 }
      - { metric: f1_macro, min_change: 0 }
      - { metric: recall, class: spam, min: 0.7 }
    monitor: { window: 400, min_samples: 150, margin: 0.02, alpha: 0.01, action: rollback, drift_every: 7d }
  weather:
    task: tabular-classification
    labels: [drizzle, fog, rain, snow, sun]
    evidence: { correct_ratio: 1, window: 60, baseline_accuracy: 0.8 }
    triggers: ${weather.triggers.trimStart().startsWith('{') ? weather.triggers : `\n${weather.triggers.replace(/^\n/, '')}`}
    budget: ${weather.budget}
    dataset: { mode: extend, window: 800, recent_test_share: 0.5, splits: { train: 0.75, eval: 0.05, test: 0.2 } }
    gate:
      - { metric: accuracy, min: 0.6 }
      - { metric: accuracy, min_change: 0 }
    monitor: { window: 60, min_samples: 40, margin: 0.05, alpha: 0.05, action: rollback, drift_every: 30d }
${
  healthUrl
    ? `    deploy: { verify: { health_url: "${healthUrl}", timeout: 6h } }
`
    : ''
}`;
  return { yaml, token };
}
