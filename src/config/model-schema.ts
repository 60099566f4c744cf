/**
 * One model line in refit.yaml: what counts as evidence, when a retrain is worth it (triggers and
 * budget), how datasets are built, the gate, monitoring and serving. Where its work runs is in
 * train-schema.ts. Every option documents its default.
 */
import { z } from 'zod';
import { SIGNAL_NAMES, type SignalName } from '../core/glossary.js';
import { gateMetricProblem } from '../core/metric-names.js';
import type { TriggerRule } from '../core/triggers.js';
import { countOrDuration, cronExpression, duration, refill, repoId, secret, section } from './fields.js';
import { deploySchema, prepareSchema, trainSchema } from './train-schema.js';

const thresholdRule = z
  .strictObject({
    id: z.string().min(1).optional().describe('Stable id for hysteresis state. Default: "<signal><op><value>".'),
    signal: z.enum(SIGNAL_NAMES as [SignalName, ...SignalName[]]).describe('The signal to compare.'),
    op: z.enum(['>=', '>', '<=', '<', '==', '!=']).describe('Comparison of signal with value.'),
    value: z.number().describe('The threshold.'),
    consecutive: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('Hysteresis: checks in a row the condition must hold. Default 1.'),
  })
  .describe('Fires when `signal op value` held on `consecutive` checks in a row.');

const cronRule = z
  .strictObject({
    id: z.string().min(1).optional().describe('Stable id. Default: "cron:<expression>".'),
    cron: cronExpression.describe('Fires once a scheduled time has passed since the last retrain. UTC.'),
  })
  .describe('A schedule.');

/** A trigger rule with its stable id (the key of its hysteresis state). */
const triggerRule = z
  .union([thresholdRule, cronRule])
  .transform((r): TriggerRule =>
    'cron' in r
      ? { kind: 'cron', id: r.id ?? `cron:${r.cron}`, cron: r.cron }
      : { kind: 'threshold', ...r, id: r.id ?? `${r.signal}${r.op}${r.value}` },
  );

const externalCount = section({
  url: secret(z.string().min(1)).describe('Database URL: postgres://... or sqlite:PATH. A secret.'),
  query: z.string().min(1).describe('SQL returning one row with one numeric column.'),
  timeout: duration.prefault('10s').describe('Query timeout. Default "10s".'),
}).describe("A count read from the user's own database, e.g. misclassifications in a reviews table.");

const evidence = section({
  min_reviewer_confidence: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Feedback below this reviewer confidence is not evidence. Default 0 (all).'),
  correct_ratio: z
    .number()
    .min(0)
    .default(1)
    .describe('Correct rows sampled per misclassified row into a dataset. Default 1.'),
  window: countOrDuration(1)
    .prefault(500)
    .describe('Online accuracy window: a count of latest reviewed predictions, or a duration. Default 500.'),
  baseline_accuracy: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Accuracy the accuracy_drop signal is measured against. Default: none (accuracy_drop has no data).'),
  external_count: externalCount.optional(),
}).describe('What counts as evidence and how signals are measured.');

const triggers = section({
  combine: z.enum(['any', 'all']).default('any').describe('How rules combine. Default "any".'),
  min_interval: duration.prefault('0s').describe('Minimum time between two retrains. Default "0s".'),
  rules: z.array(triggerRule).default([]).describe('Trigger rules. Default none (only manual retrains).'),
}).describe('When a retrain is worth considering.');

const budget = section({
  capacity: z.number().min(0).default(3).describe('Tokens the bucket holds at most; it starts full. Default 3.'),
  refill: refill.prefault('1/24h').describe('Base refill (tokens per second in the typed config). Default "1/24h".'),
  cost: z.number().min(0).default(1).describe('Tokens a retrain costs before backoff. Default 1.'),
  need_gain: z.number().min(0).default(1).describe('Refill speed-up: rate × (1 + need_gain × need). Default 1.'),
  backoff: z
    .number()
    .min(1)
    .default(2)
    .describe('Cost multiplier per rejected candidate since the last promotion. Default 2.'),
  max_retrains_per_day: z.number().int().min(0).optional().describe('Cap on retrains per rolling 24h. Default: none.'),
}).describe('The adaptive token-bucket retrain budget.');

const dataset = section({
  mode: z
    .enum(['extend', 'evidence-only'])
    .default('extend')
    .describe(
      '"extend": the previous version plus new evidence (windowed); "evidence-only": new evidence alone ' +
        '(the third seed\'s fine-tuning set). Default "extend".',
    ),
  splits: z
    .strictObject({ train: z.number().min(0), eval: z.number().min(0), test: z.number().min(0) })
    .refine((s) => Math.abs(s.train + s.eval + s.test - 1) < 1e-9, { message: 'train + eval + test must add up to 1' })
    .default({ train: 0.8, eval: 0.1, test: 0.1 })
    .describe('Split ratios, stratified by label. Default 0.8 / 0.1 / 0.1.'),
  seed: z.number().int().default(42).describe('Seed for sampling and splitting. Default 42.'),
  window: countOrDuration(1)
    .prefault(100_000)
    .describe('Rows carried over from the previous version: the newest N, or those younger than a duration.'),
  recent_test_share: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("Share of the test split filled first with this build's new production rows. Default 0.5."),
  min_samples_per_class: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe('Validation: fewest rows per label in the train split. Default 2.'),
  max_null_rate: z
    .number()
    .min(0)
    .max(1)
    .default(0.2)
    .describe('Validation: highest share of missing values per input field. Default 0.2.'),
}).describe('How dataset versions are built and validated.');

const gateRule = section({
  metric: z
    .string()
    .min(1)
    .describe(
      'accuracy, balanced_accuracy, precision/recall/f1_{macro,micro,weighted}, roc_auc, log_loss, brier, ' +
        'mae, rmse, r2, mape, drift_share; with "class": precision, recall or f1 of one label.',
    ),
  class: z.string().optional().describe('Per-class floor for this label.'),
  min: z.number().optional().describe('Value threshold: candidate >= min (inclusive).'),
  max: z.number().optional().describe('Value threshold: candidate <= max (inclusive).'),
  min_change: z
    .number()
    .min(0)
    .optional()
    .describe('Change threshold: improvement over the champion of at least this much.'),
  min_relative_change: z
    .number()
    .min(0)
    .optional()
    .describe('Change threshold: relative improvement over the champion, e.g. 0.01 for 1%.'),
  higher_is_better: z
    .boolean()
    .optional()
    .describe('Default false for log_loss, brier, mae, rmse, mape; true otherwise.'),
}).refine(
  (r) => r.min !== undefined || r.max !== undefined || r.minChange !== undefined || r.minRelativeChange !== undefined,
  { message: 'a gate rule needs min, max, min_change or min_relative_change' },
);

const condition = z.record(z.string(), z.any());

const businessRule = section({
  name: z.string().min(1),
  when: condition
    .optional()
    .describe(
      'Rows the rule applies to: field → value or {eq, ne, gt, gte, lt, lte, in}. Fields: truth, prediction, input.NAME.',
    ),
  require: condition.optional().describe('A row violates the rule when it fails this.'),
  forbid: condition.optional().describe('A row violates the rule when it matches this.'),
  max_violation_rate: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Largest share of applicable rows allowed to violate. Default 0.'),
}).refine((r) => r.require || r.forbid, { message: 'a business rule needs "require" or "forbid"' });

const monitor = section({
  window: countOrDuration(10)
    .prefault(1000)
    .describe('Feedback per version compared: a count of latest reviewed predictions, or a duration. Default 1000.'),
  min_samples: z
    .number()
    .int()
    .min(10)
    .default(200)
    .describe('Reviewed predictions each version needs before a verdict. Default 200.'),
  margin: z
    .number()
    .min(0)
    .max(1)
    .default(0.02)
    .describe('Accuracy drop versus the previous champion that counts as degradation. Default 0.02.'),
  alpha: z
    .number()
    .gt(0)
    .lt(0.5)
    .default(0.01)
    .describe('Significance of the one-sided two-proportion z-test. Default 0.01.'),
  action: z
    .enum(['rollback', 'alert'])
    .default('rollback')
    .describe('On degradation: roll back to the previous champion and alert, or only alert. Default "rollback".'),
  drift_every: duration
    .prefault('1h')
    .describe('How often production inputs are compared with the champion\'s training data. Default "1h".'),
}).describe('Production monitoring of the champion against the version it replaced.');

const serving = section({
  shadow: z
    .string()
    .optional()
    .describe('Alias (e.g. "challenger") that predicts on a copy of the traffic; logged, never returned.'),
  canary: section({
    alias: z.string().describe('Alias that serves the canary share.'),
    percent: z.number().min(0).max(100).describe('Share of requests (0–100).'),
    key: z
      .string()
      .optional()
      .describe('Input field that keeps a caller on one side (sticky). Default: the request id.'),
  }).optional(),
}).describe('How the prediction endpoint routes traffic.');

const hub = section({
  dataset_repo: repoId()
    .optional()
    .describe(
      'Push every built dataset version to this Hugging Face dataset repo (under <tag>/, metadata at the root).',
    ),
  model_repo: repoId()
    .optional()
    .describe('Push every registered model version to this Hugging Face model repo (under v<version>/).'),
  token: secret(z.string()).optional().describe('Hub token with write access, e.g. ${HF_TOKEN}. A secret.'),
});

export const TASKS = ['text-classification', 'tabular-classification', 'tabular-regression'] as const;

export const modelSchema = section({
  task: z
    .enum(TASKS)
    .default('text-classification')
    .describe('What the model line predicts. Default "text-classification".'),
  labels: z
    .array(z.string().min(1))
    .optional()
    .describe('Known labels; events with other labels are rejected. Default: any.'),
  evidence: evidence.prefault({}),
  triggers: triggers.prefault({}),
  budget: budget.prefault({}),
  dataset: dataset.prefault({}),
  train: trainSchema.prefault({}),
  hub: hub.prefault({}),
  business_rules: z
    .array(businessRule)
    .default([])
    .describe('Declarative predicates over (input, prediction, truth) a candidate must respect on the holdout.'),
  slices: z
    .array(z.string().min(1))
    .default([])
    .describe('Input fields to report metrics per value of (e.g. "lang"). Default none.'),
  gate: z.array(gateRule).default([]).describe('Rules a candidate must pass to be blessed. Default none.'),
  prepare: prepareSchema.prefault({ kind: 'builtin' }),
  deploy: deploySchema.prefault({}),
  monitor: monitor.prefault({}),
  serving: serving.prefault({}),
})
  .superRefine((m, ctx) => {
    const kind = m.task === 'tabular-regression' ? 'regression' : 'classification';
    m.gate.forEach((rule, i) => {
      const problem = gateMetricProblem(kind, rule.metric, rule.class);
      if (problem) ctx.addIssue({ code: 'custom', path: ['gate', i, 'metric'], message: problem });
    });
  })
  .describe('One model line.');
