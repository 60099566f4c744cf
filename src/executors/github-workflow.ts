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
import { RefitError } from '../core/errors.js';
import { bodyOf, httpCall } from '../integrations/http.js';
import { writeOutput } from './output-dir.js';
import type { RemoteExecutor, RemoteStatus } from './remote.js';

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
const TIMEOUT_MS = 30_000;

interface WorkflowRun {
  id: number;
  name?: string;
  display_title?: string;
  status: string;
  conclusion: string | null;
  html_url: string;
}

export function githubWorkflowExecutor(
  api: string,
  cfg: GithubWorkflowConfig,
  clock: Clock,
): RemoteExecutor<WorkflowHandle> {
  const headers = {
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
    'x-github-api-version': '2022-11-28',
  };
  const repo = `${api}/repos/${cfg.repo}`;
  const get = async <T>(url: string, what: string) =>
    JSON.parse(
      bodyOf(
        await httpCall({ method: 'GET', url, token: cfg.token, headers, timeoutMs: TIMEOUT_MS }, clock.now()),
        what,
      ),
    ) as T;

  const find = async (h: WorkflowHandle): Promise<WorkflowRun | null> => {
    const r = await get<{ workflow_runs: WorkflowRun[] }>(
      `${repo}/actions/workflows/${encodeURIComponent(cfg.workflow)}/runs?event=workflow_dispatch&per_page=100`,
      `listing runs of ${cfg.workflow}`,
    );
    return r.workflow_runs.find((w) => (w.display_title ?? w.name ?? '').includes(h.key)) ?? null;
  };

  return {
    name: 'github',
    async submit(job) {
      const inputs = {
        ...cfg.inputs,
        refit_key: job.key,
        refit_model: job.model,
        refit_dataset: job.datasetTag,
        refit_params: JSON.stringify(job.params),
      };
      const handle: WorkflowHandle = { key: job.key, dispatchedMs: clock.now(), runId: null, url: null };
      // Dispatching twice would start two runs: a run for this key that already exists is taken.
      const existing = await find(handle);
      if (existing) return { ...handle, runId: existing.id, url: existing.html_url };
      bodyOf(
        await httpCall(
          {
            method: 'POST',
            url: `${repo}/actions/workflows/${encodeURIComponent(cfg.workflow)}/dispatches`,
            token: cfg.token,
            headers,
            body: JSON.stringify({ ref: cfg.ref, inputs }),
            timeoutMs: TIMEOUT_MS,
          },
          clock.now(),
        ),
        `dispatching ${cfg.workflow} in ${cfg.repo}`,
      );
      return handle;
    },
    async poll(h) {
      let handle = h;
      if (handle.runId === null) {
        const run = await find(handle);
        if (!run) {
          if (clock.now() - handle.dispatchedMs > FIND_WITHIN_MS)
            return {
              handle,
              status: {
                state: 'failed',
                logs: [],
                error: `no run of ${cfg.workflow} has "${h.key}" in its run-name: add \`run-name: refit \${{ inputs.refit_key }}\` to the workflow`,
              },
            };
          return { handle, status: { state: 'queued', logs: [], error: null } };
        }
        handle = { ...handle, runId: run.id, url: run.html_url };
      }
      const run = await get<WorkflowRun>(
        `${repo}/actions/runs/${handle.runId}`,
        `checking workflow run ${handle.runId}`,
      );
      const status: RemoteStatus =
        run.status !== 'completed'
          ? { state: run.status === 'in_progress' ? 'running' : 'queued', logs: [], error: null, url: run.html_url }
          : run.conclusion === 'success'
            ? { state: 'succeeded', logs: [], error: null, url: run.html_url }
            : run.conclusion === 'cancelled'
              ? { state: 'cancelled', logs: [], error: `workflow run ${run.html_url} was cancelled`, url: run.html_url }
              : {
                  state: 'failed',
                  logs: [],
                  error: `workflow run ${run.html_url} concluded ${run.conclusion}`,
                  url: run.html_url,
                };
      return { handle, status };
    },
    async collect(h, _status, outputDir) {
      const list = await get<{ artifacts: { name: string; archive_download_url: string; expired?: boolean }[] }>(
        `${repo}/actions/runs/${h.runId}/artifacts`,
        `listing artifacts of run ${h.runId}`,
      );
      const a = list.artifacts.find((x) => x.name === cfg.artifact && !x.expired);
      if (!a)
        throw new RefitError(
          'UPSTREAM_REJECTED',
          `workflow run ${h.url ?? h.runId} has no artifact "${cfg.artifact}" (upload the model with actions/upload-artifact, name: ${cfg.artifact})`,
        );
      const res = await fetch(a.archive_download_url, {
        headers: { authorization: `Bearer ${cfg.token}`, accept: 'application/vnd.github+json' },
        redirect: 'follow',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok)
        throw new RefitError(
          res.status >= 500 || res.status === 429 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED',
          `downloading artifact ${cfg.artifact} of run ${h.runId} → ${res.status}`,
        );
      const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
      let n = 0;
      for (const [path, data] of Object.entries(files)) {
        if (path.endsWith('/')) continue;
        writeOutput(outputDir, path, data, `artifact ${cfg.artifact} of run ${h.runId}`);
        n++;
      }
      return n;
    },
    async cancel(h) {
      const runId = h.runId ?? (await find(h))?.id ?? null;
      if (runId === null) return; // never started: nothing runs
      const out = await httpCall(
        {
          method: 'POST',
          url: `${repo}/actions/runs/${runId}/cancel`,
          token: cfg.token,
          headers,
          timeoutMs: TIMEOUT_MS,
        },
        clock.now(),
      );
      // 409: the run already completed — nothing left to stop.
      if (out.kind !== 'ok' && !(out.kind === 'client' && out.status === 409))
        throw new RefitError('UPSTREAM_UNAVAILABLE', `cancelling workflow run ${runId}: ${out.message}`);
    },
  };
}
