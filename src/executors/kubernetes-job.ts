/**
 * The `batch/v1` Job of one training attempt on Kubernetes, as a plain object (no client, no I/O):
 * named from the run's training key so a resubmit after a crash finds the same Job; labelled and
 * annotated with the model line, run and attempt; the user's image, command, env, resources,
 * node selector and tolerations; `activeDeadlineSeconds` = the training timeout;
 * `backoffLimit` = retry attempts − 1 with a `podFailurePolicy` that fails the Job at once on exit
 * code 2 (a usage error will not pass on a retry) and does not count preempted or evicted pods;
 * `ttlSecondsAfterFinished` so nothing is left behind; `suspend` plus the Kueue queue label when
 * the line names a queue.
 */
import { createHash } from 'node:crypto';

export type KubeEnvValue = string | { secret: string; key: string };

export interface KubernetesJobConfig {
  image: string;
  command?: string[] | undefined;
  namespace: string;
  env: Record<string, KubeEnvValue>;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } | undefined;
  nodeSelector: Record<string, string>;
  tolerations: Record<string, unknown>[];
  serviceAccount?: string | undefined;
  queue?: string | undefined;
  /** Milliseconds a finished Job is kept before the cluster deletes it. */
  ttl: number;
}

export interface JobSpecInput {
  key: string;
  model: string;
  datasetTag: string;
  attempt: number;
  /** The training timeout, in milliseconds. */
  timeoutMs: number;
  /** retry.attempts of the config: the pod is retried by the cluster, not by refit. */
  attempts: number;
  /** REFIT_* variables of the attempt (dataset URLs, output prefix). */
  refitEnv: Record<string, string>;
}

export const MANAGED_BY = 'refit';
export const KEY_ANNOTATION = 'refit.dev/training-key';
export const ATTEMPT_ANNOTATION = 'refit.dev/attempt';
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** Exit code of a trainer that was called wrongly: the Job fails at once, no pod retry. */
export const USAGE_EXIT_CODE = 2;

const MAX_NAME = 63;

/** A DNS-1123 label from the key and attempt; a hash keeps long keys unique within 63 characters. */
export function jobName(key: string, attempt: number): string {
  const suffix = `-${attempt}`;
  const clean = key
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const full = `refit-${clean}`;
  if (full.length + suffix.length <= MAX_NAME) return full + suffix;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const room = MAX_NAME - suffix.length - hash.length - 1;
  const head = full.slice(0, room).replace(/-+$/, '');
  return `${head}-${hash}${suffix}`;
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, MAX_NAME);
  return clean.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

function envVars(cfg: KubernetesJobConfig, refitEnv: Record<string, string>) {
  const user = Object.entries(cfg.env).map(([name, v]) =>
    typeof v === 'string' ? { name, value: v } : { name, valueFrom: { secretKeyRef: { name: v.secret, key: v.key } } },
  );
  const refit = Object.entries(refitEnv).map(([name, value]) => ({ name, value }));
  return [...user.filter((u) => !(u.name in refitEnv)), ...refit];
}

function resources(cfg: KubernetesJobConfig) {
  if (!cfg.resources) return undefined;
  const strings = (r?: Record<string, string | number>) =>
    r ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])) : undefined;
  return { requests: strings(cfg.resources.requests), limits: strings(cfg.resources.limits) };
}

export function buildJob(cfg: KubernetesJobConfig, input: JobSpecInput) {
  const name = jobName(input.key, input.attempt);
  const labels: Record<string, string> = {
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'refit.dev/model': labelValue(input.model),
    'refit.dev/run': labelValue(input.key),
  };
  if (cfg.queue) labels[KUEUE_QUEUE_LABEL] = cfg.queue;
  const annotations = {
    [KEY_ANNOTATION]: input.key,
    [ATTEMPT_ANNOTATION]: String(input.attempt),
    'refit.dev/dataset': input.datasetTag,
  };
  const container = {
    name: 'train',
    image: cfg.image,
    ...(cfg.command ? { command: cfg.command } : {}),
    env: envVars(cfg, input.refitEnv),
    ...(cfg.resources ? { resources: resources(cfg) } : {}),
  };
  const podSpec = {
    restartPolicy: 'Never',
    containers: [container],
    ...(cfg.serviceAccount ? { serviceAccountName: cfg.serviceAccount } : {}),
    ...(Object.keys(cfg.nodeSelector).length ? { nodeSelector: cfg.nodeSelector } : {}),
    ...(cfg.tolerations.length ? { tolerations: cfg.tolerations } : {}),
  };
  const podFailurePolicy = {
    rules: [
      {
        action: 'FailJob',
        onExitCodes: { containerName: 'train', operator: 'In', values: [USAGE_EXIT_CODE] },
      },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    ],
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: cfg.namespace, labels, annotations },
    spec: {
      backoffLimit: Math.max(0, input.attempts - 1),
      activeDeadlineSeconds: Math.max(1, Math.ceil(input.timeoutMs / 1000)),
      ttlSecondsAfterFinished: Math.max(0, Math.round(cfg.ttl / 1000)),
      podFailurePolicy,
      ...(cfg.queue ? { suspend: true } : {}),
      template: { metadata: { labels: { ...labels }, annotations }, spec: podSpec },
    },
  };
}

export type KubeJobManifest = ReturnType<typeof buildJob>;
