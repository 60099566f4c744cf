/**
 * The `refit.yaml` schema (zod). Every option documents its default. The JSON Schema for editors
 * (`schema/refit.schema.json`) is generated from this file by `npm run build`.
 */
import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { parseDuration } from '../core/duration.js';
import { SIGNAL_NAMES } from '../core/glossary.js';

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== null, { message: 'expected a duration such as "90s", "15m", "6h", "2d"' })
  .describe('A duration: a number and a unit (ms, s, m, h, d, w), e.g. "6h" or "1d 12h".');

const refill = z
  .string()
  .regex(/^\s*\d+(\.\d+)?\s*\/\s*\S+\s*$/, { message: 'expected "TOKENS/DURATION", e.g. "1/12h"' })
  .refine(
    (s) => {
      const period = s.split('/')[1];
      if (period === undefined) return true; // the regex above already reported it
      const ms = parseDuration(period.trim());
      return ms !== null && ms > 0;
    },
    { message: 'the period after "/" must be a positive duration, e.g. "1/12h"' },
  )
  .describe('Refill speed as "TOKENS/DURATION", e.g. "1/12h" (one token every 12 hours).');

const thresholdRule = z
  .strictObject({
    id: z.string().min(1).optional().describe('Stable id for hysteresis state. Default: "<signal><op><value>".'),
    signal: z.enum(SIGNAL_NAMES as [string, ...string[]]).describe('The signal to compare.'),
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
    cron: z
      .string()
      .refine(
        (s) => {
          try {
            CronExpressionParser.parse(s);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'expected a cron expression such as "0 3 * * *" (minute hour day month weekday)' },
      )
      .describe('Fires once a scheduled time has passed since the last retrain. UTC.'),
  })
  .describe('A schedule.');

const externalCount = z
  .strictObject({
    url: z.string().min(1).describe('Database URL: postgres://... or sqlite:PATH. Treated as a secret.'),
    query: z.string().min(1).describe('SQL returning one row with one numeric column.'),
    timeout: duration.default('10s').describe('Query timeout. Default "10s".'),
  })
  .describe("A count read from the user's own database, e.g. misclassifications in a reviews table.");

const evidence = z
  .strictObject({
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
    window: z
      .union([z.number().int().min(1), duration])
      .default(500)
      .describe(
        'Online accuracy window: a count of latest reviewed predictions, or a duration (hour granularity). Default 500.',
      ),
    baseline_accuracy: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Accuracy the accuracy_drop signal is measured against. Default: none (accuracy_drop has no data).'),
    external_count: externalCount.optional(),
  })
  .describe('What counts as evidence and how signals are measured.');

const triggers = z
  .strictObject({
    combine: z.enum(['any', 'all']).default('any').describe('How rules combine. Default "any".'),
    min_interval: duration.default('0s').describe('Minimum time between two retrains. Default "0s".'),
    rules: z
      .array(z.union([thresholdRule, cronRule]))
      .default([])
      .describe('Trigger rules. Default none (only manual retrains).'),
  })
  .describe('When a retrain is worth considering.');

const budget = z
  .strictObject({
    capacity: z.number().min(0).default(3).describe('Tokens the bucket holds at most; it starts full. Default 3.'),
    refill: refill.default('1/24h').describe('Base refill. Default "1/24h".'),
    cost: z.number().min(0).default(1).describe('Tokens a retrain costs before backoff. Default 1.'),
    need_gain: z.number().min(0).default(1).describe('Refill speed-up: rate × (1 + need_gain × need). Default 1.'),
    backoff: z
      .number()
      .min(1)
      .default(2)
      .describe('Cost multiplier per rejected candidate since the last promotion. Default 2.'),
    max_retrains_per_day: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Cap on retrains per rolling 24h. Default: none.'),
  })
  .describe('The adaptive token-bucket retrain budget.');

const dataset = z
  .strictObject({
    mode: z
      .enum(['extend', 'evidence-only'])
      .default('extend')
      .describe(
        '"extend": the previous version plus new evidence (windowed); "evidence-only": new evidence alone (the third seed\'s fine-tuning set). Default "extend".',
      ),
    splits: z
      .strictObject({ train: z.number().min(0), eval: z.number().min(0), test: z.number().min(0) })
      .refine((s) => Math.abs(s.train + s.eval + s.test - 1) < 1e-9, {
        message: 'train + eval + test must add up to 1',
      })
      .default({ train: 0.8, eval: 0.1, test: 0.1 })
      .describe('Split ratios, stratified by label. Default 0.8 / 0.1 / 0.1.'),
    seed: z.number().int().default(42).describe('Seed for sampling and splitting. Default 42.'),
    window: z
      .union([z.number().int().min(1), duration])
      .default(100_000)
      .describe(
        'Rows carried over from the previous version: the newest N, or those younger than a duration. Default 100000.',
      ),
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
  })
  .describe('How dataset versions are built and validated.');

const metadataSource = z
  .union([
    z.strictObject({ url: z.string().url().describe('URL of dataset_metadata.json.') }),
    z.strictObject({
      dataset: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
        .describe('Hugging Face dataset repo id.'),
      revision: z.string().default('main').describe('Branch, tag or commit. Default "main".'),
      path: z.string().default('dataset_metadata.json').describe('File in the repo. Default "dataset_metadata.json".'),
    }),
  ])
  .describe('Where the preparer publishes dataset_metadata.json.');

const prepare = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('builtin') }),
    z.strictObject({
      kind: z.literal('hf-space'),
      space: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/space"' })
        .describe('The preparation Space to restart.'),
      factory: z.boolean().default(false).describe('Factory rebuild instead of a restart. Default false.'),
    }),
    z.strictObject({
      kind: z.literal('github-workflow'),
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/repo"' }),
      workflow: z.string().min(1).describe('Workflow file name or id, e.g. prepare.yml.'),
      ref: z.string().default('main'),
      inputs: z.record(z.string(), z.string()).default({}),
    }),
    z.strictObject({
      kind: z.literal('webhook'),
      url: z.string().url(),
      secret: z.string().optional().describe('HMAC-SHA256 key for the X-Refit-Signature header.'),
    }),
    z.strictObject({
      kind: z.literal('command'),
      command: z.array(z.string()).min(1).describe('argv of a local command; it gets REFIT_MODEL and REFIT_REQUIRED.'),
      timeout: duration.default('30m'),
    }),
  ])
  .and(
    z.object({
      metadata: metadataSource.optional().describe('Required for every kind but builtin.'),
      token: z.string().optional().describe('Bearer token for the trigger and the metadata (HF or GitHub). A secret.'),
      poll: z
        .strictObject({
          interval: duration.default('30s').describe('Time between metadata checks. Default "30s".'),
          timeout: duration.default('2h').describe('Give up after. Default "2h".'),
          max_backoff: duration.default('10m').describe('Longest wait after 429/5xx. Default "10m".'),
          request_timeout: duration.default('30s').describe('Timeout of one HTTP request. Default "30s".'),
        })
        .prefault({}),
    }),
  )
  .refine((p) => p.kind === 'builtin' || p.metadata !== undefined, {
    message: 'external preparation needs "metadata:" (a url, or a Hugging Face dataset repo) to poll',
  })
  .describe(
    'How dataset versions are prepared: built in, or by an external preparer that publishes dataset_metadata.json.',
  );

const gateRule = z
  .strictObject({
    metric: z
      .string()
      .min(1)
      .describe(
        'accuracy, balanced_accuracy, precision/recall/f1_{macro,micro,weighted}, roc_auc, log_loss, brier, mae, rmse, r2, mape; with "class": precision, recall or f1 of one label.',
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
  })
  .refine(
    (r) =>
      r.min !== undefined || r.max !== undefined || r.min_change !== undefined || r.min_relative_change !== undefined,
    { message: 'a gate rule needs min, max, min_change or min_relative_change' },
  );

export const NOTIFY_EVENTS = [
  'run_succeeded',
  'run_failed',
  'rejected',
  'promoted',
  'rolled_back',
  'alert',
  'budget_exhausted',
] as const;

const notifyCommon = {
  events: z
    .array(z.enum(NOTIFY_EVENTS))
    .optional()
    .describe(`Events sent to this channel: ${NOTIFY_EVENTS.join(', ')}. Default: all.`),
  models: z.array(z.string()).optional().describe('Model lines whose events go to this channel. Default: all.'),
};

const notifyChannel = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('slack'),
      webhook_url: z.string().url().describe('Slack incoming-webhook URL, e.g. ${SLACK_WEBHOOK_URL}. A secret.'),
      ...notifyCommon,
    }),
    z.strictObject({
      kind: z.literal('webhook'),
      url: z.string().url().describe('Receives a JSON POST per event. A secret.'),
      secret: z
        .string()
        .optional()
        .describe('HMAC-SHA256 key: the body\'s signature is sent as "x-refit-signature: sha256=<hex>". A secret.'),
      ...notifyCommon,
    }),
    z.strictObject({
      kind: z.literal('email'),
      smtp: z
        .string()
        .regex(/^smtps?:\/\//, { message: 'expected "smtp://USER:PASS@HOST:PORT" or "smtps://..."' })
        .describe('SMTP server URL (nodemailer), e.g. smtp://user:${SMTP_PASSWORD}@mail.example.com:587.'),
      from: z.string().min(3).describe('Sender address.'),
      to: z.array(z.string().min(3)).min(1).describe('Recipients.'),
      ...notifyCommon,
    }),
    z.strictObject({
      kind: z.literal('github-issue'),
      repo: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
        .describe(
          'Repository for issues: one open issue per model line and problem, commented on rather than duplicated.',
        ),
      token: z.string().describe('GitHub token with issues: write, e.g. ${GITHUB_TOKEN}. A secret.'),
      labels: z.array(z.string()).default(['refit']).describe('Labels of the issues refit opens. Default ["refit"].'),
      ...notifyCommon,
    }),
  ])
  .describe('A notification channel.');

const deploy = z
  .strictObject({
    target: z
      .enum(['serve', 'webhook', 'hf-space'])
      .default('serve')
      .describe(
        '"serve": refit\'s own prediction endpoint (alias move, hot reload); "webhook": a signed POST to url; "hf-space": restart an inference Space. Default "serve".',
      ),
    url: z.string().url().optional().describe('Webhook URL (target webhook). A secret.'),
    secret: z.string().optional().describe('HMAC-SHA256 key for the webhook signature. A secret.'),
    space: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
      .optional()
      .describe('Inference Space to restart (target hf-space).'),
    token: z.string().optional().describe('Hub token for the Space restart, e.g. ${HF_TOKEN}. A secret.'),
    verify: z
      .strictObject({
        health_url: z
          .string()
          .url()
          .optional()
          .describe(
            'GET must answer 2xx after deploying. Default: none (serve target: refit checks its own loaded model).',
          ),
        predict_url: z
          .string()
          .url()
          .optional()
          .describe(
            'POST {"inputs":[...]} here for the sanity requests; answers {"predictions":[{"prediction":...}]}. Default: refit\'s own serving for target serve, none otherwise.',
          ),
        sanity_requests: z
          .number()
          .int()
          .min(0)
          .default(5)
          .describe(
            'Holdout rows sent after deploying; the answers must equal what the candidate predicted at evaluation. Default 5.',
          ),
        min_agreement: z
          .number()
          .min(0)
          .max(1)
          .default(1)
          .describe('Share of sanity answers that must match. Default 1.'),
        timeout: duration.default('2m').describe('How long the target may take to become healthy. Default "2m".'),
      })
      .prefault({}),
  })
  .refine((d) => d.target !== 'webhook' || d.url, { message: 'deploy target "webhook" needs "url"' })
  .refine((d) => d.target !== 'hf-space' || d.space, { message: 'deploy target "hf-space" needs "space"' })
  .describe('Where a promoted version goes, and how it is verified; a failed verification rolls back.');

const monitor = z
  .strictObject({
    window: z
      .union([z.number().int().min(10), duration])
      .default(1000)
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
  })
  .describe('Production monitoring of the champion against the version it replaced.');

const serving = z
  .strictObject({
    shadow: z
      .string()
      .optional()
      .describe('Alias (e.g. "challenger") that predicts on a copy of the traffic; logged, never returned.'),
    canary: z
      .strictObject({
        alias: z.string().describe('Alias that serves the canary share.'),
        percent: z.number().min(0).max(100).describe('Share of requests (0–100).'),
        key: z
          .string()
          .optional()
          .describe('Input field that keeps a caller on one side (sticky). Default: the request id.'),
      })
      .optional(),
  })
  .describe('How the prediction endpoint routes traffic.');

export const modelSchema = z
  .strictObject({
    task: z
      .enum(['text-classification', 'tabular-classification', 'tabular-regression'])
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
    train: z
      .strictObject({
        executor: z
          .enum(['builtin', 'command', 'http', 'github', 'hf-space'])
          .default('builtin')
          .describe(
            'Where training runs. Default "builtin" (in-process TypeScript, off the main thread); "command" any local program; "http" a job API (see http); "github" a GitHub Actions workflow (see github); "hf-space" a Hugging Face Space (see hf_space).',
          ),
        hf_space: z
          .strictObject({
            space: z
              .string()
              .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
              .describe('The training Space; refit sets its REFIT_* variables and restarts it.'),
            model_repo: z
              .string()
              .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
              .describe(
                'Model repo the Space pushes to: a new commit there is completion; its files become the candidate.',
              ),
            token: z.string().describe('Hub token (write), e.g. ${HF_TOKEN}. A secret.'),
            factory: z.boolean().default(false).describe('Factory reboot (rebuild the image). Default false.'),
            poll: duration.default('30s').describe('Time between checks. Default "30s".'),
          })
          .optional()
          .describe(
            'The Hugging Face Space executor: restart, follow runtime.stage, detect the new model commit, pause on cancel or timeout.',
          ),
        github: z
          .strictObject({
            repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' }),
            workflow: z
              .string()
              .min(1)
              .describe(
                'Workflow file name (e.g. train.yml) or id; it needs `on: workflow_dispatch` and `run-name: refit ${{ inputs.refit_key }}`.',
              ),
            ref: z.string().default('main').describe('Branch or tag to run on. Default "main".'),
            token: z.string().describe('Token with actions: write, e.g. ${GITHUB_TOKEN}. A secret.'),
            artifact: z.string().default('model').describe('Name of the artifact holding the model. Default "model".'),
            inputs: z.record(z.string(), z.string()).default({}).describe('Extra workflow inputs.'),
            poll: duration.default('30s').describe('Time between status checks. Default "30s".'),
          })
          .optional()
          .describe(
            'The GitHub workflow executor: dispatch, find the run by run-name, poll, take the artifact, cancel on cancel or timeout.',
          ),
        http: z
          .strictObject({
            url: z
              .string()
              .url()
              .describe(
                'POST a job here (HMAC-signed JSON with the dataset); answers {"id", "status_url", "cancel_url"?}.',
              ),
            secret: z.string().optional().describe('HMAC-SHA256 key of the x-refit-signature header. A secret.'),
            token: z.string().optional().describe('Bearer token for the status, output and cancel URLs. A secret.'),
            poll: duration
              .default('15s')
              .describe('Time between status checks; the run waits parked in between. Default "15s".'),
          })
          .optional()
          .describe(
            'The HTTP job executor: submit, poll the status URL, download the outputs, cancel on cancel or timeout.',
          ),
        params: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
          .default({})
          .describe(
            'Trainer parameters (builtin: C, maxIter, bits, minDf, textField); passed as REFIT_PARAMS to commands.',
          ),
        command: z.array(z.string()).optional().describe('argv of the train command (executor: command).'),
        predict_command: z.array(z.string()).optional().describe('argv of the predict command (executor: command).'),
        timeout: duration.default('1h').describe('Training timeout; the whole process group is killed. Default "1h".'),
      })
      .refine((t) => t.executor !== 'command' || (t.command && t.predict_command), {
        message: 'executor "command" needs "command" and "predict_command"',
      })
      .refine((t) => t.executor !== 'http' || t.http, { message: 'executor "http" needs "http: { url }"' })
      .refine((t) => t.executor !== 'github' || t.github, {
        message: 'executor "github" needs "github: { repo, workflow, token }"',
      })
      .refine((t) => t.executor !== 'hf-space' || t.hf_space, {
        message: 'executor "hf-space" needs "hf_space: { space, model_repo, token }"',
      })
      .prefault({}),
    hub: z
      .strictObject({
        dataset_repo: z
          .string()
          .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
          .optional()
          .describe(
            'Push every built dataset version to this Hugging Face dataset repo (under <tag>/, and dataset_metadata.json at the root).',
          ),
        model_repo: z
          .string()
          .regex(/^[\w.-]+\/[\w.-]+$/, { message: 'expected "owner/name"' })
          .optional()
          .describe('Push every registered model version to this Hugging Face model repo (under v<version>/).'),
        token: z.string().optional().describe('Hub token with write access, e.g. ${HF_TOKEN}. A secret.'),
      })
      .optional(),
    business_rules: z
      .array(
        z
          .strictObject({
            name: z.string().min(1),
            when: z
              .record(z.string(), z.any())
              .optional()
              .describe(
                'Rows the rule applies to: field → value or {eq, ne, gt, gte, lt, lte, in}. Fields: truth, prediction, input.NAME.',
              ),
            require: z.record(z.string(), z.any()).optional().describe('A row violates the rule when it fails this.'),
            forbid: z.record(z.string(), z.any()).optional().describe('A row violates the rule when it matches this.'),
            max_violation_rate: z
              .number()
              .min(0)
              .max(1)
              .default(0)
              .describe('Largest share of applicable rows allowed to violate. Default 0.'),
          })
          .refine((r) => r.require || r.forbid, { message: 'a business rule needs "require" or "forbid"' }),
      )
      .default([])
      .describe('Declarative predicates over (input, prediction, truth) a candidate must respect on the holdout.'),
    slices: z
      .array(z.string().min(1))
      .default([])
      .describe('Input fields to report metrics per value of (e.g. "lang"). Default none.'),
    gate: z.array(gateRule).default([]).describe('Rules a candidate must pass to be blessed. Default none.'),
    prepare: prepare.default({
      kind: 'builtin',
      poll: { interval: '30s', timeout: '2h', max_backoff: '10m', request_timeout: '30s' },
    }),
    deploy: deploy.prefault({}),
    monitor: monitor.prefault({}),
    serving: serving.prefault({}),
  })
  .describe('One model line.');

export const configSchema = z
  .strictObject({
    version: z.literal(1).default(1).describe('Config format version. Default 1.'),
    store: z
      .string()
      .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, {
        message: 'expected "sqlite:PATH" or "postgres://USER:PASS@HOST:PORT/DB"',
      })
      .default('sqlite:./.refit/refit.db')
      .describe('Store URL. Default "sqlite:./.refit/refit.db". Env REFIT_STORE overrides.'),
    artifacts: z
      .string()
      .regex(/^(file:|s3:\/\/)/, { message: 'expected "file:DIR" or "s3://BUCKET/PREFIX"' })
      .default('file:./.refit/artifacts')
      .describe(
        'Model artifacts: "file:DIR" (default "file:./.refit/artifacts") or "s3://BUCKET/PREFIX". Datasets and training outputs stay local (under DIR, or ./.refit/artifacts with S3).',
      ),
    s3_endpoint: z
      .string()
      .url()
      .optional()
      .describe(
        'S3-compatible endpoint (MinIO, Ceph, ...). Default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS.',
      ),
    hub_url: z
      .string()
      .url()
      .optional()
      .describe('Hugging Face Hub URL. Default: $HF_ENDPOINT, else https://huggingface.co.'),
    github_api_url: z
      .string()
      .url()
      .optional()
      .describe('GitHub REST API URL. Default: $GITHUB_API_URL, else https://api.github.com.'),
    serve: z
      .strictObject({
        host: z.string().default('127.0.0.1').describe('Listen address. Default "127.0.0.1".'),
        port: z.number().int().min(0).max(65535).default(8080).describe('Listen port. Default 8080.'),
        schedule: z
          .string()
          .default('*/5 * * * *')
          .describe('Cron schedule of ticks (decide and advance runs). Default every 5 minutes.'),
        body_limit: z
          .number()
          .int()
          .min(1024)
          .default(1_048_576)
          .describe('Largest request body in bytes. Default 1 MiB.'),
        tokens: z
          .array(
            z.strictObject({
              token: z.string().min(16, { message: 'tokens must be at least 16 characters' }),
              scopes: z.array(z.enum(['ingest', 'predict', 'read', 'admin'])).min(1),
            }),
          )
          .default([])
          .describe('Bearer tokens and their scopes (ingest, predict, read, admin). Secrets.'),
      })
      .prefault({}),
    notify: z
      .array(notifyChannel)
      .default([])
      .describe(
        'Notification channels (Slack, signed webhook, e-mail, GitHub issue). Delivery is retried, de-duplicated by event id and recorded; a failing channel never fails a run.',
      ),
    retry: z
      .strictObject({
        attempts: z
          .number()
          .int()
          .min(1)
          .max(20)
          .default(3)
          .describe(
            'Attempts per run step for retryable failures (network, 5xx, a crashed trainer); validation, gate and config errors are never retried. Default 3.',
          ),
        backoff: duration
          .default('30s')
          .describe('Wait before the second attempt; doubles for each further one. Default "30s".'),
      })
      .prefault({})
      .describe('Automatic per-step retries of runs.'),
    lease: duration
      .default('5m')
      .describe(
        'How long a worker holds a run between heartbeats; a dead worker\'s runs resume after it. Default "5m".',
      ),
    secrets: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
      .default([])
      .describe('Environment variables whose values are masked in all output.'),
    guards: z
      .strictObject({
        max_runs_in_flight: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('Runs in flight across all model lines and instances. Default: none.'),
      })
      .prefault({}),
    models: z
      .record(
        z.string().regex(/^[A-Za-z0-9][\w.-]*$/, { message: 'model names are letters, digits, ".", "_" and "-"' }),
        modelSchema,
      )
      .refine((m) => Object.keys(m).length > 0, { message: 'define at least one model line under "models:"' }),
  })
  .describe('refit configuration (refit.yaml).');

export type RawConfig = z.output<typeof configSchema>;
export type RawModelConfig = z.output<typeof modelSchema>;
