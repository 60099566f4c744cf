/**
 * Training in a GitHub Actions workflow: `workflow_dispatch` with the job key as an input the
 * workflow puts in its `run-name` (`run-name: refit ${{ inputs.refit_key }}`), which is how the
 * run is found again (the dispatch API returns nothing); then the run is polled until it
 * completes, its conclusion decides, and the artifact named `artifact` (default "model") is
 * downloaded and unzipped into the job's directory. Cancel → `POST .../runs/{id}/cancel`.
 * Inputs sent: refit_key, refit_model, refit_dataset (the version tag; the workflow reads it from
 * the line's Hub dataset repo), refit_params (JSON), plus the configured ones.
 */
import { unzipSync } from 'fflate';
import type { Clock } from '../core/ports/clock.js';
import { UpstreamRejectedError } from '../core/errors.js';
import { githubClient, githubError, repoParts, statusOf, type GitHubClient } from '../integrations/github.js';
import { writeOutput } from './output-dir.js';
import type { RemoteExecutor, RemoteJob, RemoteStatus } from './remote.js';

export interface GithubWorkflowConfig {
  repo: string;
  workflow: string;
  ref: string;
  token: string;
  artifact: string;
  inputs: Record<string, string>;
}

export interface WorkflowHandle {
  key: string;
  dispatchedMs: number;
  runId: number | null;
  url: string | null;
}

/** How long a dispatched run may take to appear before the run-name is declared missing. */
const FIND_WITHIN_MS = 10 * 60_000;

interface WorkflowRun {
  id: number;
  name?: string | null;
  display_title?: string;
  status: string | null;
  conclusion: string | null;
  html_url: string;
}

/** The calls of one workflow in one repository. */
interface Workflow {
  gh: GitHubClient;
  cfg: GithubWorkflowConfig;
  at: { owner: string; repo: string };
  clock: Clock;
}

export function githubWorkflowExecutor(
  api: string,
  cfg: GithubWorkflowConfig,
  clock: Clock,
): RemoteExecutor<WorkflowHandle> {
  const w: Workflow = { gh: githubClient({ apiUrl: api, token: cfg.token }), cfg, at: repoParts(cfg.repo), clock };
  return {
    name: 'github',
    submit: (job) => dispatch(w, job),
    poll: (h) => poll(w, h),
    collect: (h, _status, outputDir) => collect(w, h, outputDir),
    cancel: (h) => cancel(w, h),
  };
}

/** The run of this key, found by the key in its run-name (the dispatch API returns nothing). */
async function find(w: Workflow, h: WorkflowHandle): Promise<WorkflowRun | null> {
  try {
    const r = await w.gh.rest.actions.listWorkflowRuns({
      ...w.at,
      workflow_id: w.cfg.workflow,
      event: 'workflow_dispatch',
      per_page: 100,
    });
    const runs = r.data.workflow_runs as WorkflowRun[];
    return runs.find((x) => (x.display_title ?? x.name ?? '').includes(h.key)) ?? null;
  } catch (err) {
    throw githubError(err, `listing runs of ${w.cfg.workflow} in ${w.cfg.repo}`);
  }
}

async function dispatch(w: Workflow, job: RemoteJob): Promise<WorkflowHandle> {
  const inputs = {
    ...w.cfg.inputs,
    refit_key: job.key,
    refit_model: job.model,
    refit_dataset: job.datasetTag,
    refit_params: JSON.stringify(job.params),
  };
  const handle: WorkflowHandle = { key: job.key, dispatchedMs: w.clock.now(), runId: null, url: null };
  // Dispatching twice would start two runs: a run for this key that already exists is taken.
  const existing = await find(w, handle);
  if (existing) return { ...handle, runId: existing.id, url: existing.html_url };
  try {
    await w.gh.rest.actions.createWorkflowDispatch({ ...w.at, workflow_id: w.cfg.workflow, ref: w.cfg.ref, inputs });
  } catch (err) {
    throw githubError(err, `dispatching ${w.cfg.workflow} in ${w.cfg.repo}`);
  }
  return handle;
}

async function poll(w: Workflow, h: WorkflowHandle): Promise<{ handle: WorkflowHandle; status: RemoteStatus }> {
  let handle = h;
  if (handle.runId === null) {
    const found = await find(w, handle);
    if (!found) {
      if (w.clock.now() - handle.dispatchedMs <= FIND_WITHIN_MS)
        return { handle, status: { state: 'queued', logs: [], error: null } };
      const fix = 'add `run-name: refit ${{ inputs.refit_key }}` to the workflow';
      const error = `no run of ${w.cfg.workflow} has "${h.key}" in its run-name: ${fix}`;
      return { handle, status: { state: 'failed', logs: [], error } };
    }
    handle = { ...handle, runId: found.id, url: found.html_url };
  }
  let run: WorkflowRun;
  try {
    run = (await w.gh.rest.actions.getWorkflowRun({ ...w.at, run_id: handle.runId! })).data as WorkflowRun;
  } catch (err) {
    throw githubError(err, `checking workflow run ${handle.runId}`);
  }
  return { handle, status: statusOfRun(run) };
}

function statusOfRun(run: WorkflowRun): RemoteStatus {
  const url = run.html_url;
  if (run.status !== 'completed') {
    return { state: run.status === 'in_progress' ? 'running' : 'queued', logs: [], error: null, url };
  }
  if (run.conclusion === 'success') return { state: 'succeeded', logs: [], error: null, url };
  if (run.conclusion === 'cancelled')
    return { state: 'cancelled', logs: [], error: `workflow run ${url} was cancelled`, url };
  return { state: 'failed', logs: [], error: `workflow run ${url} concluded ${run.conclusion}`, url };
}

/** The run's artifact (default "model"), unzipped into the job's directory. */
async function collect(w: Workflow, h: WorkflowHandle, outputDir: string): Promise<number> {
  const { cfg } = w;
  let zip: ArrayBuffer;
  try {
    const list = await w.gh.rest.actions.listWorkflowRunArtifacts({ ...w.at, run_id: h.runId!, per_page: 100 });
    const a = list.data.artifacts.find((x) => x.name === cfg.artifact && !x.expired);
    if (!a) {
      const fix = `upload the model with actions/upload-artifact, name: ${cfg.artifact}`;
      throw new UpstreamRejectedError(`workflow run ${h.url ?? h.runId} has no artifact "${cfg.artifact}" (${fix})`);
    }
    const res = await w.gh.rest.actions.downloadArtifact({ ...w.at, artifact_id: a.id, archive_format: 'zip' });
    zip = res.data as ArrayBuffer;
  } catch (err) {
    if (err instanceof UpstreamRejectedError) throw err;
    throw githubError(err, `downloading artifact ${cfg.artifact} of run ${h.runId}`);
  }
  const files = unzipSync(new Uint8Array(zip));
  let n = 0;
  for (const [path, data] of Object.entries(files)) {
    if (path.endsWith('/')) continue;
    writeOutput(outputDir, path, data, `artifact ${cfg.artifact} of run ${h.runId}`);
    n++;
  }
  return n;
}

async function cancel(w: Workflow, h: WorkflowHandle): Promise<void> {
  const runId = h.runId ?? (await find(w, h))?.id ?? null;
  if (runId === null) return; // never started: nothing runs
  try {
    await w.gh.rest.actions.cancelWorkflowRun({ ...w.at, run_id: runId });
  } catch (err) {
    // 409: the run already completed — nothing left to stop.
    if (statusOf(err) === 409) return;
    throw githubError(err, `cancelling workflow run ${runId}`);
  }
}
