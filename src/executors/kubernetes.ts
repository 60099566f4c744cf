/**
 * The Kubernetes executor: one `batch/v1` Job per training attempt through the official client
 * (`@kubernetes/client-node`, loaded on first use), data in and out through S3 (s3-staging.ts).
 *   submit  upload the dataset, create the Job (kubernetes-job.ts); a 409 whose annotation names
 *           the same training key is that Job (a crash between create and record repeats
 *           nothing); one that already failed moves on to the next attempt's name
 *   poll    the Job's `Complete` / `Failed` conditions; `spec.suspend` is queued (Kueue); the
 *           newest pod's log tail is the job's log; a failure names the Job's reason, the pod's
 *           termination and the last log lines, and is final (the cluster already retried pods)
 *   collect every object under the attempt's output prefix, verified
 *   cancel  delete with foreground propagation and wait until the Job and its pods are gone
 * A deadline-exceeded Job is deleted the same way. 401, 403, 422 and a missing namespace are
 * configuration errors that say what to fix; 429, 5xx and the network are retried by the run.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BatchV1Api, CoreV1Api, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../core/ports/clock.js';
import { RefitError } from '../core/errors.js';
import { buildJob, jobName, KEY_ANNOTATION, type KubernetesJobConfig } from './kubernetes-job.js';
import type { RemoteExecutor, RemoteJob, RemoteStatus } from './remote.js';
import type { S3Staging } from './s3-staging.js';

export interface KubernetesExecutorConfig extends KubernetesJobConfig {
  /** A kubeconfig file; null: the in-cluster service account. */
  kubeconfig: string | null;
  context?: string | undefined;
  timeoutMs: number;
  attempts: number;
}

export interface KubeHandle {
  name: string;
  namespace: string;
  attempt: number;
  outputUri: string;
}

interface Apis {
  batch: BatchV1Api;
  core: CoreV1Api;
  server: string;
}

const LOG_TAIL = 200;
const FAILURE_LOG_LINES = 10;
const MAX_ATTEMPT_NAMES = 20;
const GONE_WAIT_MS = 120_000;

/** Where kubeconfig and in-cluster credentials come from, in this order. */
export function findKubeconfig(lineKubeconfig: string | null, envKubeconfig: string | null): string | null {
  if (lineKubeconfig) return lineKubeconfig;
  if (envKubeconfig) return envKubeconfig.split(':')[0] || null;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : null;
}

async function connect(cfg: KubernetesExecutorConfig, model: string): Promise<Apis> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const where = `models.${model}.train.kubernetes`;
  try {
    if (cfg.kubeconfig) kc.loadFromFile(cfg.kubeconfig);
    else kc.loadFromCluster();
  } catch (err) {
    throw new RefitError(
      'CONFIG',
      `${where}: could not read the kubeconfig ${cfg.kubeconfig}: ${(err as Error).message}`,
    );
  }
  if (cfg.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(cfg.context))
      throw new RefitError(
        'CONFIG',
        `${where}.context "${cfg.context}" is not in the kubeconfig; its contexts: ${names.join(', ') || 'none'}`,
      );
    kc.setCurrentContext(cfg.context);
  }
  const server = kc.getCurrentCluster()?.server ?? '(no cluster)';
  return { batch: kc.makeApiClient(k8s.BatchV1Api), core: kc.makeApiClient(k8s.CoreV1Api), server };
}

type ApiError = { code?: number; body?: unknown };

function statusBody(err: ApiError): { reason?: string; message?: string; details?: { causes?: unknown[] } } {
  const b = err.body;
  if (typeof b === 'string') {
    try {
      return JSON.parse(b);
    } catch {
      return { message: b.slice(0, 200) };
    }
  }
  return (b && typeof b === 'object' ? b : {}) as never;
}

const RBAC_VERBS =
  'jobs (batch): create, get, delete; pods: list; pods/log: get — a Role with these verbs bound to the account';

/** A Kubernetes API failure by meaning. */
export function kubeError(err: unknown, doing: string, ns: string): RefitError {
  if (err instanceof RefitError) return err;
  const e = err as ApiError & Error;
  const code = typeof e.code === 'number' ? e.code : 0;
  const body = statusBody(e);
  if (code === 401)
    return new RefitError('CONFIG', `${doing}: the cluster refused the credentials of the kubeconfig (401)`);
  if (code === 403)
    return new RefitError(
      'CONFIG',
      `${doing}: forbidden in namespace ${ns} (403). refit needs ${RBAC_VERBS}. ${body.message ?? ''}`.trim(),
    );
  if (code === 422) {
    const causes = (body.details?.causes ?? []) as { field?: string; message?: string }[];
    const fields = causes.map((c) => `${c.field ?? '?'}: ${c.message ?? ''}`).join('; ');
    return new RefitError('CONFIG', `${doing}: the cluster refused the Job (422 Invalid): ${fields || body.message}`);
  }
  if (code === 0 || code === 429 || code >= 500)
    return new RefitError('UPSTREAM_UNAVAILABLE', `${doing}: ${code ? `HTTP ${code}` : e.message}`);
  return new RefitError(
    'UPSTREAM_REJECTED',
    `${doing}: HTTP ${code} ${body.reason ?? ''} ${body.message ?? ''}`.trim(),
  );
}

function condition(job: V1Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

export class KubernetesExecutor implements RemoteExecutor<KubeHandle> {
  readonly name = 'kubernetes';
  /** The cluster enforces the deadline (activeDeadlineSeconds); refit's own check waits this longer. */
  readonly deadlineGraceMs: number;
  private apis: Promise<Apis> | null = null;

  constructor(
    private readonly cfg: KubernetesExecutorConfig,
    private readonly staging: S3Staging,
    private readonly clock: Clock,
    private readonly model: string,
    pollMs: number,
  ) {
    this.deadlineGraceMs = 2 * pollMs;
  }

  private api(): Promise<Apis> {
    this.apis ??= connect(this.cfg, this.model);
    return this.apis;
  }

  async submit(job: RemoteJob): Promise<KubeHandle> {
    const { batch } = await this.api();
    const namespace = this.cfg.namespace;
    const expiresIn = Math.min(7 * 86_400, Math.round((2 * this.cfg.timeoutMs) / 1000) + 3600);
    await this.staging.upload(job.model, job.key, job.datasetDir);
    for (let attempt = 1; attempt <= MAX_ATTEMPT_NAMES; attempt++) {
      const name = jobName(job.key, attempt);
      const staged = await this.staging.attempt({ model: job.model, key: job.key, jobName: name, expiresIn });
      const refitEnv = {
        ...staged.env,
        REFIT_MODEL: job.model,
        REFIT_TASK: job.task,
        REFIT_DATASET_TAG: job.datasetTag,
        REFIT_PARAMS: JSON.stringify(job.params),
      };
      const body = buildJob(this.cfg, {
        key: job.key,
        model: job.model,
        datasetTag: job.datasetTag,
        attempt,
        timeoutMs: this.cfg.timeoutMs,
        attempts: this.cfg.attempts,
        refitEnv,
      });
      const handle = { name, namespace, attempt, outputUri: staged.outputUri };
      try {
        await batch.createNamespacedJob({ namespace, body: body as V1Job });
        return handle;
      } catch (err) {
        const code = (err as ApiError).code;
        if (code === 404)
          throw new RefitError(
            'CONFIG',
            `models.${job.model}.train.kubernetes.namespace: namespace "${namespace}" does not exist ` +
              `(kubectl create namespace ${namespace})`,
          );
        if (code !== 409) throw kubeError(err, `creating Job ${namespace}/${name}`, namespace);
      }
      const existing = await this.read(handle);
      if (!existing) continue;
      if (existing.metadata?.annotations?.[KEY_ANNOTATION] !== job.key)
        throw new RefitError(
          'CONFLICT',
          `a Job ${namespace}/${name} exists that was not created for training ${job.key}: ` +
            'delete it or rename the line',
        );
      if (!condition(existing, 'Failed')) return handle;
    }
    throw new RefitError('TRAINING_FAILED', `training ${job.key}: ${MAX_ATTEMPT_NAMES} Jobs already failed`);
  }

  private async read(h: KubeHandle): Promise<V1Job | null> {
    const { batch } = await this.api();
    try {
      return await batch.readNamespacedJob({ name: h.name, namespace: h.namespace });
    } catch (err) {
      if ((err as ApiError).code === 404) return null;
      throw kubeError(err, `reading Job ${h.namespace}/${h.name}`, h.namespace);
    }
  }

  private async pods(h: KubeHandle): Promise<V1Pod[]> {
    const { core } = await this.api();
    const list = await core
      .listNamespacedPod({ namespace: h.namespace, labelSelector: `job-name=${h.name}` })
      .catch((err) => {
        throw kubeError(err, `listing the pods of Job ${h.namespace}/${h.name}`, h.namespace);
      });
    const created = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
    return [...list.items].sort((a, b) => created(a) - created(b));
  }

  /** The newest pod's log tail (empty while its container is not started). */
  private async logTail(h: KubeHandle, pod: V1Pod | undefined): Promise<string[]> {
    if (!pod?.metadata?.name) return [];
    const { core } = await this.api();
    const name = pod.metadata.name;
    const text = await core.readNamespacedPodLog({ name, namespace: h.namespace, tailLines: LOG_TAIL }).catch(() => '');
    return String(text).split('\n').filter(Boolean);
  }

  async poll(h: KubeHandle): Promise<{ status: RemoteStatus; handle: KubeHandle }> {
    const job = await this.read(h);
    const where = `Job ${h.namespace}/${h.name}`;
    if (!job) {
      const error = `${where} is gone (deleted outside refit, or its TTL passed before refit looked)`;
      return { status: { state: 'failed', logs: [], error, final: true }, handle: h };
    }
    const pods = await this.pods(h);
    const logs = await this.logTail(h, pods.at(-1));
    if (condition(job, 'Complete')) return { status: { state: 'succeeded', logs, error: null }, handle: h };
    const failed = condition(job, 'Failed');
    if (failed) {
      const error = await this.failure(h, job, pods, logs);
      return { status: { state: 'failed', logs, error, final: true }, handle: h };
    }
    const queued = job.spec?.suspend === true;
    return { status: { state: queued ? 'queued' : 'running', logs, error: null }, handle: h };
  }

  private async failure(h: KubeHandle, job: V1Job, pods: V1Pod[], logs: string[]): Promise<string> {
    const c = condition(job, 'Failed')!;
    const parts = [`the Kubernetes Job ${h.namespace}/${h.name} failed: ${c.reason ?? 'Failed'}`];
    if (c.message) parts[0] += ` (${c.message})`;
    const last = pods.at(-1);
    const term = last?.status?.containerStatuses?.[0]?.state?.terminated;
    if (term) {
      const why = term.reason ? ` (${term.reason})` : '';
      parts.push(`pod ${last!.metadata!.name} ended with exit code ${term.exitCode}${why}`);
    }
    if (pods.length > 1) parts.push(`${pods.length} pods tried`);
    if (logs.length) parts.push(`last log lines:\n${logs.slice(-FAILURE_LOG_LINES).join('\n')}`);
    if (c.reason === 'DeadlineExceeded') {
      const seconds = job.spec?.activeDeadlineSeconds;
      parts.push(`it ran past activeDeadlineSeconds ${seconds} (the training timeout) and was deleted`);
      await this.cancel(h);
    }
    return parts.join('; ');
  }

  async collect(h: KubeHandle, _status: RemoteStatus, outputDir: string): Promise<number> {
    return this.staging.collect(h.outputUri, outputDir, `Job ${h.namespace}/${h.name}`);
  }

  /** Deletes the Job with foreground propagation and waits until it and its pods are gone. */
  async cancel(h: KubeHandle): Promise<void> {
    const { batch } = await this.api();
    try {
      await batch.deleteNamespacedJob({ name: h.name, namespace: h.namespace, propagationPolicy: 'Foreground' });
    } catch (err) {
      if ((err as ApiError).code !== 404) throw kubeError(err, `deleting Job ${h.namespace}/${h.name}`, h.namespace);
    }
    const until = this.clock.now() + GONE_WAIT_MS;
    while (this.clock.now() < until) {
      const gone = !(await this.read(h)) && (await this.pods(h)).length === 0;
      if (gone) return;
      await this.clock.sleep(250);
    }
    throw new RefitError(
      'UPSTREAM_UNAVAILABLE',
      `Job ${h.namespace}/${h.name} was deleted but its pods are still there`,
    );
  }
}
