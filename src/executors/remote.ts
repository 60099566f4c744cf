/**
 * The remote executor interface: training that runs somewhere else and is driven in steps so a
 * run never blocks on it — submit (idempotent by the job key), poll (which may refine the handle,
 * e.g. once a dispatched workflow run is found), collect the outputs into the job's directory,
 * cancel. Implementations: an HTTP job API (http-job.ts), a GitHub Actions workflow
 * (github-workflow.ts), a Hugging Face Space (hf-space.ts) and a Kubernetes Job (kubernetes.ts);
 * remote-executor-for.ts picks one.
 * This module is only the interface: it imports nothing.
 */

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
  /** A failure the remote side already retried (a Kubernetes Job past its backoff limit): refit does not. */
  final?: boolean;
}

export interface RemoteExecutor<H = unknown> {
  name: string;
  /** When the remote side enforces the training timeout itself, refit's own check waits this much longer. */
  deadlineGraceMs?: number;
  submit(job: RemoteJob): Promise<H>;
  poll(handle: H): Promise<{ status: RemoteStatus; handle: H }>;
  collect(handle: H, status: RemoteStatus, outputDir: string): Promise<number>;
  cancel(handle: H): Promise<void>;
}
