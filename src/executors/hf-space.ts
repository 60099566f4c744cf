/**
 * Training in a Hugging Face Space: refit records the model repo's current commit, sets the
 * Space's variables (REFIT_KEY, REFIT_MODEL, REFIT_DATASET, REFIT_PARAMS) and restarts it
 * (`POST {hub}/api/spaces/{id}/restart`, `?factory=true` for a rebuild); then it follows
 * `runtime.stage` — BUILD_ERROR, RUNTIME_ERROR, CONFIG_ERROR and NO_APP_FILE fail the job with the
 * Space's own message — and takes a new commit on the model repo as completion, downloading its
 * files as the candidate. Cancel and timeout pause the Space (`POST .../pause`): nothing keeps
 * running or billing.
 */
import type { Clock } from '../core/ports/clock.js';
import { RefitError } from '../core/errors.js';
import { bodyOf, httpCall, type HttpOutcome } from '../integrations/http.js';
import { writeOutput } from './output-dir.js';
import type { RemoteExecutor, RemoteStatus } from './remote.js';

export interface HfSpaceConfig {
  space: string;
  modelRepo: string;
  token: string;
  factory: boolean;
}

export interface SpaceHandle {
  key: string;
  /** The model repo's commit before the restart: a different one means the Space published. */
  baseline: string | null;
  newSha: string | null;
}

const ERROR_STAGES = ['BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE'];
const TIMEOUT_MS = 30_000;

export function hfSpaceExecutor(hub: string, cfg: HfSpaceConfig, clock: Clock): RemoteExecutor<SpaceHandle> {
  const call = async (method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<HttpOutcome> =>
    httpCall(
      {
        method,
        url: `${hub}${path}`,
        token: cfg.token,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: TIMEOUT_MS,
      },
      clock.now(),
    );
  const head = async (): Promise<{ sha: string; files: string[] } | null> => {
    const out = await call('GET', `/api/models/${cfg.modelRepo}/revision/main`, 'reading the model repo');
    if (out.kind === 'not_found') return null;
    const r = JSON.parse(bodyOf(out, `reading the model repo ${cfg.modelRepo}`)) as {
      sha: string;
      siblings?: { rfilename: string }[];
    };
    return { sha: r.sha, files: (r.siblings ?? []).map((s) => s.rfilename) };
  };
  return {
    name: 'hf-space',
    async submit(job) {
      const baseline = (await head())?.sha ?? null;
      const vars = {
        REFIT_KEY: job.key,
        REFIT_MODEL: job.model,
        REFIT_DATASET: job.datasetTag,
        REFIT_PARAMS: JSON.stringify(job.params),
      };
      for (const [key, value] of Object.entries(vars))
        bodyOf(
          await call('POST', `/api/spaces/${cfg.space}/variables`, 'setting a Space variable', { key, value }),
          `setting ${key} on the Space ${cfg.space}`,
        );
      bodyOf(
        await call('POST', `/api/spaces/${cfg.space}/restart${cfg.factory ? '?factory=true' : ''}`, 'restarting'),
        `restarting the Space ${cfg.space}`,
      );
      return { key: job.key, baseline, newSha: null };
    },
    async poll(h) {
      const url = `${hub}/spaces/${cfg.space}`;
      const now = await head();
      if (now && now.sha !== h.baseline)
        return {
          handle: { ...h, newSha: now.sha },
          status: { state: 'succeeded', logs: [`model repo ${cfg.modelRepo} now at ${now.sha}`], error: null, url },
        };
      const runtime = JSON.parse(
        bodyOf(await call('GET', `/api/spaces/${cfg.space}/runtime`, 'runtime'), `reading the runtime of ${cfg.space}`),
      ) as { stage: string; errorMessage?: string };
      let status: RemoteStatus;
      if (ERROR_STAGES.includes(runtime.stage))
        status = {
          state: 'failed',
          logs: [],
          error: `the Space ${cfg.space} is in ${runtime.stage}${runtime.errorMessage ? `: ${runtime.errorMessage}` : ''}`,
          url,
        };
      else if (runtime.stage === 'PAUSED' || runtime.stage === 'STOPPED' || runtime.stage === 'DELETING')
        status = {
          state: 'cancelled',
          logs: [],
          error: `the Space ${cfg.space} is ${runtime.stage} and published no model`,
          url,
        };
      else
        status = {
          state: runtime.stage.includes('RUNNING') ? 'running' : 'queued',
          logs: [`stage ${runtime.stage}`],
          error: null,
          url,
        };
      return { handle: h, status };
    },
    async collect(h, _status, outputDir) {
      const info = JSON.parse(
        bodyOf(
          await call('GET', `/api/models/${cfg.modelRepo}/revision/${h.newSha}`, 'listing'),
          `listing ${cfg.modelRepo}@${h.newSha}`,
        ),
      ) as { siblings?: { rfilename: string }[] };
      let n = 0;
      for (const { rfilename } of info.siblings ?? []) {
        if (rfilename.startsWith('.git')) continue;
        const res = await fetch(`${hub}/${cfg.modelRepo}/resolve/${h.newSha}/${rfilename}`, {
          headers: { authorization: `Bearer ${cfg.token}` },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (!res.ok)
          throw new RefitError(
            res.status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED',
            `downloading ${rfilename} of ${cfg.modelRepo}@${h.newSha} → ${res.status}`,
          );
        writeOutput(outputDir, rfilename, new Uint8Array(await res.arrayBuffer()), `${cfg.modelRepo}@${h.newSha}`);
        n++;
      }
      return n;
    },
    async cancel() {
      const out = await call('POST', `/api/spaces/${cfg.space}/pause`, 'pausing');
      if (out.kind !== 'ok')
        throw new RefitError('UPSTREAM_UNAVAILABLE', `pausing the Space ${cfg.space}: ${out.message}`);
    },
  };
}
