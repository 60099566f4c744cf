/**
 * The `refit.yaml` schema (zod). Every option documents its default. Its output is the typed
 * configuration (config.ts): durations in milliseconds, camelCase keys, secrets as `Secret`. The
 * JSON Schema for editors (`schema/refit.schema.json`) is generated from it by `npm run build`.
 */
import { z } from 'zod';
import { camelKeys, duration, repoId, secret, section } from './fields.js';
import { modelSchema } from './model-schema.js';

export { modelSchema };

export const NOTIFY_EVENTS = [
  'run_succeeded',
  'run_failed',
  'rejected',
  'promoted',
  'rolled_back',
  'awaiting_approval',
  'alert',
  'budget_exhausted',
] as const;

export type NotifyEventKind = (typeof NOTIFY_EVENTS)[number];

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
      webhook_url: secret(z.string().url()).describe(
        'Slack incoming-webhook URL, e.g. ${SLACK_WEBHOOK_URL}. A secret.',
      ),
      ...notifyCommon,
    }),
    z.strictObject({
      kind: z.literal('webhook'),
      url: secret(z.string().url()).describe('Receives a JSON POST per event. A secret.'),
      secret: secret(z.string())
        .optional()
        .describe('HMAC-SHA256 key: the body\'s signature is sent as "x-refit-signature: sha256=<hex>". A secret.'),
      ...notifyCommon,
    }),
    z.strictObject({
      kind: z.literal('email'),
      smtp: secret(
        z.string().regex(/^smtps?:\/\//, { message: 'expected "smtp://USER:PASS@HOST:PORT" or "smtps://..."' }),
      ).describe('SMTP server URL (nodemailer), e.g. smtp://user:${SMTP_PASSWORD}@mail.example.com:587. A secret.'),
      from: z.string().min(3).describe('Sender address.'),
      to: z.array(z.string().min(3)).min(1).describe('Recipients.'),
      ...notifyCommon,
    }),
    z.strictObject({
      kind: z.literal('github-issue'),
      repo: repoId().describe('Repository for issues: one open issue per model line and problem, commented on.'),
      token: secret(z.string()).describe('GitHub token with issues: write, e.g. ${GITHUB_TOKEN}. A secret.'),
      labels: z.array(z.string()).default(['refit']).describe('Labels of the issues refit opens. Default ["refit"].'),
      ...notifyCommon,
    }),
  ])
  .transform((c) => camelKeys(c))
  .describe('A notification channel.');

const SCOPES = ['ingest', 'predict', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const serve = section({
  host: z.string().default('127.0.0.1').describe('Listen address. Default "127.0.0.1".'),
  port: z.number().int().min(0).max(65535).default(8080).describe('Listen port. Default 8080.'),
  schedule: z
    .string()
    .default('*/5 * * * *')
    .describe('Cron schedule of ticks (decide and advance runs). Default every 5 minutes.'),
  body_limit: z.number().int().min(1024).default(1_048_576).describe('Largest request body in bytes. Default 1 MiB.'),
  tokens: z
    .array(
      z.strictObject({
        token: secret(z.string().min(16, { message: 'tokens must be at least 16 characters' })),
        scopes: z.array(z.enum(SCOPES)).min(1),
        name: z
          .string()
          .regex(/^[\w.@-]{1,64}$/, { message: 'a token name is letters, digits, _ . @ - (at most 64)' })
          .optional()
          .describe('Who holds the token: the actor recorded for what it does (e.g. "ci", "alice"). Default token-N.'),
      }),
    )
    .default([])
    .describe('Bearer tokens and their scopes (ingest, predict, read, admin). Secrets.'),
});

const retry = section({
  attempts: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(3)
    .describe('Attempts per run step for retryable failures (network, 5xx, a crashed trainer). Default 3.'),
  backoff: duration
    .prefault('30s')
    .describe('Wait before the second attempt; doubles for each further one. Default "30s".'),
}).describe('Automatic per-step retries of runs.');

const MODEL_NAME = /^[A-Za-z0-9][\w.-]*$/;
/** Names an object already has (`constructor`, `toString`, …): refused, so no lookup ever finds them. */
const RESERVED_NAME = (name: string) => name in Object.prototype || name === 'prototype';

export const configSchema = section({
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
    .describe('Model artifacts: "file:DIR" (default "file:./.refit/artifacts") or "s3://BUCKET/PREFIX".'),
  s3_endpoint: z
    .string()
    .url()
    .optional()
    .describe('S3-compatible endpoint (MinIO, Ceph, ...). Default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS.'),
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
  serve: serve.prefault({}),
  notify: z
    .array(notifyChannel)
    .default([])
    .transform((cs) => cs.map((c, i) => ({ ...c, id: `${c.kind}#${i}` })))
    .describe('Notification channels. Delivery is retried, de-duplicated by event id and recorded.'),
  retry: retry.prefault({}),
  lease: duration
    .prefault('5m')
    .describe('How long a worker holds a run between heartbeats; a dead worker\'s runs resume after it. Default "5m".'),
  secrets: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
    .default([])
    .describe('Environment variables whose values are masked in all output.'),
  guards: section({
    max_runs_in_flight: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Runs in flight across all model lines and instances. Default: none.'),
  }).prefault({}),
  models: z
    .record(
      z
        .string()
        .regex(MODEL_NAME, { message: 'model names are letters, digits, ".", "_" and "-"' })
        .refine((n) => !RESERVED_NAME(n), { message: 'this name is reserved: choose another model line name' }),
      modelSchema,
    )
    .refine((m) => Object.keys(m).length > 0, { message: 'define at least one model line under "models:"' })
    .transform((m) => {
      // No prototype: a lookup by a name from a request or an event finds a model line or nothing.
      const lines: Record<string, z.output<typeof modelSchema> & { name: string }> = Object.create(null);
      for (const [name, line] of Object.entries(m)) lines[name] = { name, ...line };
      return lines;
    }),
})
  .superRefine((c, ctx) => {
    for (const line of Object.values(c.models)) {
      const k = line.train.kubernetes;
      if (line.train.executor !== 'kubernetes' || !k || k.storage || c.artifacts.startsWith('s3://')) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['models', line.name, 'train', 'kubernetes', 'storage'],
        message:
          'a Kubernetes Job reads its dataset and writes its model through S3: set "storage: s3://BUCKET/PREFIX" ' +
          'here, or "artifacts: s3://..." at the top',
      });
    }
  })
  .describe('refit configuration (refit.yaml).');

export type ParsedConfig = z.output<typeof configSchema>;
