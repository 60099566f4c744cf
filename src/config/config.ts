/**
 * The typed configuration the rest of refit reads, derived once from the validated `refit.yaml`:
 * durations in milliseconds, rules with stable ids, the budget as a policy.
 */
import { dirname, resolve } from 'node:path';
import type { BudgetPolicy } from '../core/budget.js';
import { parseDuration } from '../core/duration.js';
import type { SignalName } from '../core/glossary.js';
import type { TriggerRule } from '../core/triggers.js';
import type { GateRule } from '../core/gate.js';
import type { BusinessRule } from '../core/business-rules.js';
import type { RawConfig, RawModelConfig } from './schema.js';
import { urlPassword } from './secrets.js';

export type Task = RawModelConfig['task'];

export interface ExternalCountConfig {
  url: string;
  query: string;
  timeoutMs: number;
}

export interface ModelLineConfig {
  name: string;
  task: Task;
  labels: string[] | null;
  evidence: {
    minReviewerConfidence: number;
    correctRatio: number;
    window: { kind: 'count'; count: number } | { kind: 'time'; ms: number };
    baselineAccuracy: number | null;
    externalCount: ExternalCountConfig | null;
  };
  triggers: { combine: 'any' | 'all'; minIntervalMs: number; rules: TriggerRule[] };
  budget: BudgetPolicy & { maxRetrainsPerDay: number | null };
  dataset: DatasetPolicy;
  prepare: PreparePolicy;
  gate: GateRule[];
  businessRules: BusinessRule[];
  hub: { datasetRepo: string | null; modelRepo: string | null; token: string | null };
  slices: string[];
  train: {
    executor: 'builtin' | 'command' | 'http' | 'github' | 'hf-space';
    params: Record<string, string | number | boolean>;
    command: string[] | null;
    predictCommand: string[] | null;
    timeoutMs: number;
    http: { url: string; secret: string | null; token: string | null; pollMs: number } | null;
    github: {
      repo: string;
      workflow: string;
      ref: string;
      token: string;
      artifact: string;
      inputs: Record<string, string>;
      pollMs: number;
    } | null;
    hfSpace: { space: string; modelRepo: string; token: string; factory: boolean; pollMs: number } | null;
  };
  deploy: DeployPolicy;
  monitor: MonitorPolicy;
  serving: { shadow: string | null; canary: { alias: string; percent: number; key: string | null } | null };
}

export interface DeployPolicy {
  target: 'serve' | 'webhook' | 'hf-space';
  url: string | null;
  secret: string | null;
  space: string | null;
  token: string | null;
  verify: {
    healthUrl: string | null;
    predictUrl: string | null;
    sanityRequests: number;
    minAgreement: number;
    timeoutMs: number;
  };
}

export interface MonitorPolicy {
  window: { kind: 'count'; count: number } | { kind: 'time'; ms: number };
  minSamples: number;
  margin: number;
  alpha: number;
  action: 'rollback' | 'alert';
}

export type NotifyEventKind = RawConfig['notify'][number]['events'] extends (infer E)[] | undefined ? E : never;

export type NotifyChannel = { id: string; events: NotifyEventKind[] | null; models: string[] | null } & (
  | { kind: 'slack'; webhookUrl: string }
  | { kind: 'webhook'; url: string; secret: string | null }
  | { kind: 'email'; smtp: string; from: string; to: string[] }
  | { kind: 'github-issue'; repo: string; token: string; labels: string[] }
);

export type PrepareTrigger =
  | { kind: 'builtin' }
  | { kind: 'hf-space'; space: string; factory: boolean }
  | { kind: 'github-workflow'; repo: string; workflow: string; ref: string; inputs: Record<string, string> }
  | { kind: 'webhook'; url: string; secret: string | null }
  | { kind: 'command'; command: string[]; timeoutMs: number };

export interface PreparePolicy {
  trigger: PrepareTrigger;
  /** Where dataset_metadata.json is read; null for builtin. */
  metadata:
    { kind: 'url'; url: string } | { kind: 'hf-dataset'; dataset: string; revision: string; path: string } | null;
  token: string | null;
  intervalMs: number;
  timeoutMs: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
}

export interface DatasetPolicy {
  mode: 'extend' | 'evidence-only';
  splits: { train: number; eval: number; test: number };
  seed: number;
  window: { kind: 'count'; count: number } | { kind: 'time'; ms: number };
  recentTestShare: number;
  minSamplesPerClass: number;
  maxNullRate: number;
}

export interface RefitConfig {
  /** Hugging Face Hub base URL (config, else $HF_ENDPOINT, else https://huggingface.co). */
  hubUrl: string;
  /** GitHub REST API base URL (config, else $GITHUB_API_URL, else https://api.github.com). */
  githubApiUrl: string;
  /** S3-compatible endpoint override, if any. */
  s3Endpoint: string | null;
  /** S3 credentials from the loaded environment (else the AWS SDK's default chain). Secrets. */
  s3Credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  /** AWS region for S3 ($AWS_REGION, default us-east-1). */
  s3Region: string;
  /** Local root for datasets, training outputs and caches (from `artifacts: file:DIR`, else ./.refit/artifacts). */
  artifactsDir: string;
  /** Where the config was read from (for messages); "(defaults)" when there was no file. */
  source: string;
  store: string;
  artifacts: string;
  guards: { maxRunsInFlight: number | null };
  models: Record<string, ModelLineConfig>;
  serve: {
    host: string;
    port: number;
    schedule: string;
    bodyLimit: number;
    tokens: { token: string; scopes: ('ingest' | 'predict' | 'read' | 'admin')[] }[];
  };
  /** Run lease length (ms). */
  leaseMs: number;
  /** Per-step retries of retryable failures: attempts, and the first backoff (doubling). */
  retry: { attempts: number; backoffMs: number };
  /** Notification channels, each with a stable id ("slack#0"). */
  notify: NotifyChannel[];
  /** Secret values to mask in all output (never stored). */
  secretValues: string[];
}

function ms(d: string): number {
  return parseDuration(d)!;
}

export function toModelLine(name: string, m: RawModelConfig): ModelLineConfig {
  const [tokens, period] = m.budget.refill.split('/').map((s) => s.trim());
  const window =
    typeof m.evidence.window === 'number'
      ? { kind: 'count' as const, count: m.evidence.window }
      : { kind: 'time' as const, ms: ms(m.evidence.window) };
  const rules: TriggerRule[] = m.triggers.rules.map((r) =>
    'cron' in r
      ? { kind: 'cron', id: r.id ?? `cron:${r.cron}`, cron: r.cron }
      : {
          kind: 'threshold',
          id: r.id ?? `${r.signal}${r.op}${r.value}`,
          signal: r.signal as SignalName,
          op: r.op,
          value: r.value,
          consecutive: r.consecutive,
        },
  );
  const ext = m.evidence.external_count;
  const d = m.dataset;
  const p = m.prepare;
  const trigger: PrepareTrigger =
    p.kind === 'builtin'
      ? { kind: 'builtin' }
      : p.kind === 'hf-space'
        ? { kind: 'hf-space', space: p.space, factory: p.factory }
        : p.kind === 'github-workflow'
          ? { kind: 'github-workflow', repo: p.repo, workflow: p.workflow, ref: p.ref, inputs: p.inputs }
          : p.kind === 'webhook'
            ? { kind: 'webhook', url: p.url, secret: p.secret ?? null }
            : { kind: 'command', command: p.command, timeoutMs: ms(p.timeout) };
  return {
    name,
    task: m.task,
    labels: m.labels ?? null,
    evidence: {
      minReviewerConfidence: m.evidence.min_reviewer_confidence,
      correctRatio: m.evidence.correct_ratio,
      window,
      baselineAccuracy: m.evidence.baseline_accuracy ?? null,
      externalCount: ext ? { url: ext.url, query: ext.query, timeoutMs: ms(ext.timeout) } : null,
    },
    triggers: { combine: m.triggers.combine, minIntervalMs: ms(m.triggers.min_interval), rules },
    budget: {
      capacity: m.budget.capacity,
      ratePerSecond: Number(tokens) / (ms(period!) / 1000),
      cost: m.budget.cost,
      needGain: m.budget.need_gain,
      backoff: m.budget.backoff,
      maxRetrainsPerDay: m.budget.max_retrains_per_day ?? null,
    },
    dataset: {
      mode: d.mode,
      splits: d.splits,
      seed: d.seed,
      window: typeof d.window === 'number' ? { kind: 'count', count: d.window } : { kind: 'time', ms: ms(d.window) },
      recentTestShare: d.recent_test_share,
      minSamplesPerClass: d.min_samples_per_class,
      maxNullRate: d.max_null_rate,
    },
    train: {
      executor: m.train.executor,
      params: m.train.params,
      command: m.train.command ?? null,
      predictCommand: m.train.predict_command ?? null,
      timeoutMs: ms(m.train.timeout),
      http: m.train.http
        ? {
            url: m.train.http.url,
            secret: m.train.http.secret ?? null,
            token: m.train.http.token ?? null,
            pollMs: ms(m.train.http.poll),
          }
        : null,
      github: m.train.github ? { ...m.train.github, pollMs: ms(m.train.github.poll) } : null,
      hfSpace: m.train.hf_space
        ? {
            space: m.train.hf_space.space,
            modelRepo: m.train.hf_space.model_repo,
            token: m.train.hf_space.token,
            factory: m.train.hf_space.factory,
            pollMs: ms(m.train.hf_space.poll),
          }
        : null,
    },
    hub: {
      datasetRepo: m.hub?.dataset_repo ?? null,
      modelRepo: m.hub?.model_repo ?? null,
      token: m.hub?.token ?? null,
    },
    businessRules: m.business_rules.map((r) => ({
      name: r.name,
      when: r.when,
      require: r.require,
      forbid: r.forbid,
      maxViolationRate: r.max_violation_rate,
    })),
    slices: m.slices,
    gate: m.gate.map((g) => ({
      metric: g.metric,
      class: g.class,
      min: g.min,
      max: g.max,
      minChange: g.min_change,
      minRelativeChange: g.min_relative_change,
      higherIsBetter: g.higher_is_better,
    })),
    deploy: {
      target: m.deploy.target,
      url: m.deploy.url ?? null,
      secret: m.deploy.secret ?? null,
      space: m.deploy.space ?? null,
      token: m.deploy.token ?? null,
      verify: {
        healthUrl: m.deploy.verify.health_url ?? null,
        predictUrl: m.deploy.verify.predict_url ?? null,
        sanityRequests: m.deploy.verify.sanity_requests,
        minAgreement: m.deploy.verify.min_agreement,
        timeoutMs: ms(m.deploy.verify.timeout),
      },
    },
    monitor: {
      window:
        typeof m.monitor.window === 'number'
          ? { kind: 'count', count: m.monitor.window }
          : { kind: 'time', ms: ms(m.monitor.window) },
      minSamples: m.monitor.min_samples,
      margin: m.monitor.margin,
      alpha: m.monitor.alpha,
      action: m.monitor.action,
    },
    serving: {
      shadow: m.serving.shadow ?? null,
      canary: m.serving.canary
        ? { alias: m.serving.canary.alias, percent: m.serving.canary.percent, key: m.serving.canary.key ?? null }
        : null,
    },
    prepare: {
      trigger,
      metadata: !p.metadata
        ? null
        : 'url' in p.metadata
          ? { kind: 'url', url: p.metadata.url }
          : { kind: 'hf-dataset', dataset: p.metadata.dataset, revision: p.metadata.revision, path: p.metadata.path },
      token: p.token ?? null,
      intervalMs: ms(p.poll.interval),
      timeoutMs: ms(p.poll.timeout),
      maxBackoffMs: ms(p.poll.max_backoff),
      requestTimeoutMs: ms(p.poll.request_timeout),
    },
  };
}

export function toRefitConfig(
  raw: RawConfig,
  source: string,
  secretValues: string[],
  env: NodeJS.ProcessEnv = {},
): RefitConfig {
  const notify: NotifyChannel[] = raw.notify.map((c, i) => {
    const common = { id: `${c.kind}#${i}`, events: c.events ?? null, models: c.models ?? null };
    switch (c.kind) {
      case 'slack':
        return { ...common, kind: 'slack', webhookUrl: c.webhook_url };
      case 'webhook':
        return { ...common, kind: 'webhook', url: c.url, secret: c.secret ?? null };
      case 'email':
        return { ...common, kind: 'email', smtp: c.smtp, from: c.from, to: c.to };
      case 'github-issue':
        return { ...common, kind: 'github-issue', repo: c.repo, token: c.token, labels: c.labels };
    }
  });
  // Webhook URLs, signing keys and tokens are secrets wherever they came from.
  const configured = [
    ...notify.flatMap((c) =>
      c.kind === 'slack'
        ? [c.webhookUrl]
        : c.kind === 'webhook'
          ? [c.url, c.secret ?? '']
          : c.kind === 'github-issue'
            ? [c.token]
            : [urlPassword(c.smtp) ?? ''],
    ),
    ...Object.values(raw.models).flatMap((m) => [
      m.deploy.url ?? '',
      m.deploy.secret ?? '',
      m.deploy.token ?? '',
      m.train.http?.secret ?? '',
      m.train.http?.token ?? '',
      m.train.github?.token ?? '',
      m.train.hf_space?.token ?? '',
    ]),
  ].filter((v) => v.length >= 4);
  secretValues = [...new Set([...secretValues, ...raw.serve.tokens.map((t) => t.token), ...configured])];
  return {
    hubUrl: (raw.hub_url ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    githubApiUrl: (raw.github_api_url ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    source,
    store: raw.store,
    artifacts: raw.artifacts,
    artifactsDir: raw.artifacts.startsWith('file:')
      ? raw.artifacts.slice('file:'.length)
      : resolve(dirname(source), '.refit', 'artifacts'),
    s3Endpoint: raw.s3_endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null,
    s3Credentials:
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          }
        : null,
    s3Region: env.AWS_REGION ?? 'us-east-1',
    guards: { maxRunsInFlight: raw.guards.max_runs_in_flight ?? null },
    leaseMs: ms(raw.lease),
    retry: { attempts: raw.retry.attempts, backoffMs: ms(raw.retry.backoff) },
    serve: {
      host: raw.serve.host,
      port: raw.serve.port,
      schedule: raw.serve.schedule,
      bodyLimit: raw.serve.body_limit,
      tokens: raw.serve.tokens,
    },
    models: Object.fromEntries(Object.entries(raw.models).map(([name, m]) => [name, toModelLine(name, m)])),
    notify,
    secretValues,
  };
}
