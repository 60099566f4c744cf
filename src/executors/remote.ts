/**
 * The remote executor interface: training that runs somewhere else and is driven in steps so a
 * run never blocks on it — submit (idempotent by the job key), poll (which may refine the handle,
 * e.g. once a dispatched workflow run is found), collect the outputs into the job's directory,
 * cancel. Implementations: an HTTP job API (http-job.ts), a GitHub Actions workflow
 * (github-workflow.ts) and a Hugging Face Space (hf-space.ts).
 */
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import { UsageError } from '../core/errors.js';
import { httpJobExecutor } from './http-job.js';
import { githubWorkflowExecutor } from './github-workflow.js';
import { hfSpaceExecutor } from './hf-space.js';

export interface RemoteJob {
  key: string;
  model: string;
  task: string;
  params: Record<string, unknown>;
  datasetDir: string;
  datasetTag: string;
}

export interface RemoteStatus {
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  logs: string[];
  error: string | null;
  /** Where to see it (a workflow run's page). */
  url?: string | null;
}

export interface RemoteExecutor<H = unknown> {
  name: string;
  submit(job: RemoteJob): Promise<H>;
  poll(handle: H): Promise<{ status: RemoteStatus; handle: H }>;
  collect(handle: H, status: RemoteStatus, outputDir: string): Promise<number>;
  cancel(handle: H): Promise<void>;
}

export function remoteExecutorFor(app: AppContext, line: ModelLineConfig): RemoteExecutor {
  if (line.train.executor === 'http' && line.train.http) return httpJobExecutor(line.train.http) as RemoteExecutor;
  if (line.train.executor === 'github' && line.train.github)
    return githubWorkflowExecutor(app.config.githubApiUrl, line.train.github, app.clock) as RemoteExecutor;
  if (line.train.executor === 'hf-space' && line.train.hfSpace)
    return hfSpaceExecutor(app.config.hubUrl, line.train.hfSpace, app.clock) as RemoteExecutor;
  throw new UsageError(`models.${line.name}.train.executor "${line.train.executor}" is not a remote executor`);
}

export const isRemote = (line: ModelLineConfig) =>
  line.train.executor === 'http' || line.train.executor === 'github' || line.train.executor === 'hf-space';
