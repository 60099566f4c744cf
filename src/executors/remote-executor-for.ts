/** Picks the remote executor of a model line from its config (the one place that knows them all). */
import { dirname, resolve } from 'node:path';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { UsageError } from '../core/errors.js';
import { githubWorkflowExecutor } from './github-workflow.js';
import { hfSpaceExecutor } from './hf-space.js';
import { httpJobExecutor } from './http-job.js';
import type { RemoteExecutor } from './remote.js';
import { reveal } from '../config/secret.js';
import { findKubeconfig, KubernetesExecutor } from './kubernetes.js';
import { S3Staging } from './s3-staging.js';

/** Training runs somewhere else (the run parks between polls) rather than in this process. */
export function isRemote(line: ModelLineConfig): boolean {
  const e = line.train.executor;
  return e === 'http' || e === 'github' || e === 'hf-space' || e === 'kubernetes';
}

export function remoteExecutorFor(app: AppContext, line: ModelLineConfig): RemoteExecutor {
  const t = line.train;
  if (t.executor === 'http' && t.http) {
    const cfg = { url: t.http.url, secret: reveal(t.http.secret), token: reveal(t.http.token) };
    return httpJobExecutor(cfg) as RemoteExecutor;
  }
  if (t.executor === 'github' && t.github) {
    const cfg = { ...t.github, token: t.github.token.value };
    return githubWorkflowExecutor(app.config.githubApiUrl, cfg, app.clock) as RemoteExecutor;
  }
  if (t.executor === 'hf-space' && t.hfSpace) {
    const cfg = { ...t.hfSpace, token: t.hfSpace.token.value };
    return hfSpaceExecutor(app.config.hubUrl, cfg, app.clock) as RemoteExecutor;
  }
  if (t.executor === 'kubernetes' && t.kubernetes) return kubernetesExecutor(app, line, t.kubernetes);
  throw new UsageError(`models.${line.name}.train.executor "${t.executor}" is not a remote executor`);
}

/** Time between two checks of the line's remote job. */
export function pollInterval(line: ModelLineConfig): number {
  const t = line.train;
  return t.http?.poll ?? t.github?.poll ?? t.hfSpace?.poll ?? t.kubernetes?.poll ?? 30_000;
}

type KubeLine = NonNullable<ModelLineConfig['train']['kubernetes']>;

function kubernetesExecutor(app: AppContext, line: ModelLineConfig, k: KubeLine): RemoteExecutor {
  const c = app.config;
  const own = k.kubeconfig ? resolve(dirname(c.source), k.kubeconfig) : null;
  const staging = new S3Staging(k.storage ?? c.artifacts, {
    endpoint: c.s3Endpoint,
    region: c.s3Region,
    credentials: c.s3Credentials,
  });
  const cfg = {
    ...k,
    kubeconfig: findKubeconfig(own, c.kubeconfigEnv),
    timeoutMs: line.train.timeout,
    attempts: c.retry.attempts,
  };
  return new KubernetesExecutor(cfg, staging, app.clock, line.name, k.poll) as RemoteExecutor;
}
