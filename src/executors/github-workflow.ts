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
import { RefitError, UpstreamRejectedError } from '../core/errors.js';
import { z } from 'zod';
import { expectAnswer, parseAnswer } from '../integrations/answer.js';
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

/** The fields of a workflow run refit reads (GitHub's `GET .../actions/runs/{id}`). */
const RUN = z.object({
  id: z.number(),
  name: z.string().nullish(),
  display_title: z.string().nullish(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  html_url: z.string(),
});
type WorkflowRun = z.output<typeof RUN>;
const WORKFLOW_RUN = RUN.describe('a workflow run {"id", "status", "conclusion", "html_url", ...}');
const RUNS = z.object({ workflow_runs: z.array(RUN) }).describe('{"total_count", "workflow_runs": [...]}');
const ARTIFACTS = z
  .object({ artifacts: z.array(z.object({ id: z.number(), name: z.string(), expired: z.boolean() })) })
  .describe('{"total_count", "artifacts": [{"id", "name", "expired", ...}]}');

/** The calls of one workflow in one repository. */
interface Workflow {
  gh: GitHubClient;
  /** "GitHub at URL", for messages about its answers. */
  where: string;
  cfg: GithubWorkflowConfig;
  at: { owner: string; repo: string };
  clock: Clock;
}

export function githubWorkflowExecutor(
  api: string,
  cfg: GithubWorkflowConfig,
  clock: Clock,
): RemoteExecutor<WorkflowHandle> {
  const gh = githubClient({ apiUrl: api, token: cfg.token });
  const w: Workflow = { gh, where: `GitHub at ${api}`, cfg, at: repoParts(cfg.repo), clock };
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
  const doing = `listing runs of ${w.cfg.workflow} in ${w.cfg.repo}`;
  let data: unknown;
  try {
    const r = await w.gh.rest.actions.listWorkflowRuns({
      ...w.at,
      workflow_id: w.cfg.workflow,
      event: 'workflow_dispatch',
      per_page: 100,
    });
    data = r.data;
  } catch (err) {
    throw githubError(err, doing);
  }
  const runs = githubAnswer(data, RUNS, doing, w.where).workflow_runs;
  return runs.find((x) => (x.display_title ?? x.name ?? '').includes(h.key)) ?? null;
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
  const doing = `checking workflow run ${handle.runId}`;
  let data: unknown;
  try {
    data = (await w.gh.rest.actions.getWorkflowRun({ ...w.at, run_id: handle.runId! })).data;
  } catch (err) {
    throw githubError(err, doing);
  }
  return { handle, status: statusOfRun(githubAnswer(data, WORKFLOW_RUN, doing, w.where)) };
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
  const doing = `downloading artifact ${cfg.artifact} of run ${h.runId}`;
  try {
    const list = await w.gh.rest.actions.listWorkflowRunArtifacts({ ...w.at, run_id: h.runId!, per_page: 100 });
    const { artifacts } = githubAnswer(list.data, ARTIFACTS, doing, w.where);
    const a = artifacts.find((x) => x.name === cfg.artifact && !x.expired);
    if (!a) {
      const fix = `upload the model with actions/upload-artifact, name: ${cfg.artifact}`;
      throw new UpstreamRejectedError(`workflow run ${h.url ?? h.runId} has no artifact "${cfg.artifact}" (${fix})`);
    }
    const res = await w.gh.rest.actions.downloadArtifact({ ...w.at, artifact_id: a.id, archive_format: 'zip' });
    zip = res.data as ArrayBuffer;
  } catch (err) {
    if (err instanceof RefitError) throw err;
    throw githubError(err, doing);
  }
  const files = unzipOrSay(zip, doing, w.where);
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

/** Octokit's `data`: JSON as parsed, or the text of a body that was not JSON. */
function githubAnswer<T>(data: unknown, schema: z.ZodType<T>, doing: string, where: string): T {
  const value = typeof data === 'string' ? parseAnswer(data, doing, where) : data;
  return expectAnswer(value, schema, doing, where);
}

function unzipOrSay(zip: ArrayBuffer, doing: string, where: string): Record<string, Uint8Array> {
  try {
    return unzipSync(new Uint8Array(zip));
  } catch (err) {
    throw new UpstreamRejectedError(
      `${doing}: ${where} sent something that is not a zip archive (${(err as Error).message}): ` +
        'the artifact is downloaded from .../artifacts/{id}/zip',
    );
  }
}
