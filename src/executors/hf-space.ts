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
import { bodyOf, httpCall, jsonOf, upstreamError, type HttpOutcome } from '../integrations/http.js';
import { z } from 'zod';

/** The Hub's `GET /api/models/{repo}/revision/{rev}`: the commit and its files. */
const REVISION = z
  .object({ sha: z.string(), siblings: z.array(z.object({ rfilename: z.string() })).optional() })
  .describe('{"sha": "...", "siblings": [{"rfilename": "..."}]}');

/** The Hub's `GET /api/spaces/{space}/runtime`: its stage, and the error of a failed build or run. */
const RUNTIME = z
  .object({ stage: z.string(), errorMessage: z.string().nullish() })
  .describe('{"stage": "BUILDING|RUNNING|...", "errorMessage"?: "..."}');
import { writeOutput } from './output-dir.js';
import type { RemoteExecutor, RemoteJob, RemoteStatus } from './remote.js';

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

/** The Hub calls the executor makes, bound to one Space and model repo. */
function spaceApi(hub: string, cfg: HfSpaceConfig, clock: Clock) {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpOutcome> =>
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
  /** The model repo's files at a revision (null when the repo has no commit yet). */
  const revision = async (rev: string): Promise<{ sha: string; files: string[] } | null> => {
    const out = await call('GET', `/api/models/${cfg.modelRepo}/revision/${rev}`);
    if (out.kind === 'not_found' && rev === 'main') return null;
    const r = jsonOf(out, `reading the model repo ${cfg.modelRepo}@${rev}`, REVISION);
    return { sha: r.sha, files: (r.siblings ?? []).map((f) => f.rfilename) };
  };
  return { call, revision };
}

type SpaceApi = ReturnType<typeof spaceApi>;

export function hfSpaceExecutor(hub: string, cfg: HfSpaceConfig, clock: Clock): RemoteExecutor<SpaceHandle> {
  const api = spaceApi(hub, cfg, clock);
  return {
    name: 'hf-space',
    submit: (job) => submit(api, cfg, job),
    poll: (h) => poll(api, hub, cfg, h),
    collect: (h, _status, outputDir) => collect(api, hub, cfg, h, outputDir),
    async cancel() {
      const out = await api.call('POST', `/api/spaces/${cfg.space}/pause`);
      if (out.kind !== 'ok') throw upstreamError(out, `pausing the Space ${cfg.space}`);
    },
  };
}

async function submit(api: SpaceApi, cfg: HfSpaceConfig, job: RemoteJob): Promise<SpaceHandle> {
  const baseline = (await api.revision('main'))?.sha ?? null;
  const vars = {
    REFIT_KEY: job.key,
    REFIT_MODEL: job.model,
    REFIT_DATASET: job.datasetTag,
    REFIT_PARAMS: JSON.stringify(job.params),
  };
  for (const [key, value] of Object.entries(vars)) {
    const set = await api.call('POST', `/api/spaces/${cfg.space}/variables`, { key, value });
    bodyOf(set, `setting ${key} on the Space ${cfg.space}`);
  }
  const restart = await api.call('POST', `/api/spaces/${cfg.space}/restart${cfg.factory ? '?factory=true' : ''}`);
  bodyOf(restart, `restarting the Space ${cfg.space}`);
  return { key: job.key, baseline, newSha: null };
}

async function poll(api: SpaceApi, hub: string, cfg: HfSpaceConfig, h: SpaceHandle) {
  const url = `${hub}/spaces/${cfg.space}`;
  const now = await api.revision('main');
  if (now && now.sha !== h.baseline) {
    const status: RemoteStatus = {
      state: 'succeeded',
      logs: [`model repo ${cfg.modelRepo} now at ${now.sha}`],
      error: null,
      url,
    };
    return { handle: { ...h, newSha: now.sha }, status };
  }
  const out = await api.call('GET', `/api/spaces/${cfg.space}/runtime`);
  const runtime = jsonOf(out, `reading the runtime of ${cfg.space}`, RUNTIME);
  const stage = runtime.stage;
  let status: RemoteStatus;
  if (ERROR_STAGES.includes(stage)) {
    const detail = runtime.errorMessage ? `: ${runtime.errorMessage}` : '';
    status = { state: 'failed', logs: [], error: `the Space ${cfg.space} is in ${stage}${detail}`, url };
  } else if (stage === 'PAUSED' || stage === 'STOPPED' || stage === 'DELETING') {
    status = { state: 'cancelled', logs: [], error: `the Space ${cfg.space} is ${stage} and published no model`, url };
  } else {
    status = { state: stage.includes('RUNNING') ? 'running' : 'queued', logs: [`stage ${stage}`], error: null, url };
  }
  return { handle: h, status };
}

/** The new commit's files become the candidate (paths stay inside the output directory). */
async function collect(api: SpaceApi, hub: string, cfg: HfSpaceConfig, h: SpaceHandle, outputDir: string) {
  const at = `${cfg.modelRepo}@${h.newSha}`;
  const rev = (await api.revision(h.newSha!))!;
  let n = 0;
  for (const file of rev.files) {
    if (file.startsWith('.git')) continue;
    const res = await fetch(`${hub}/${cfg.modelRepo}/resolve/${h.newSha}/${file}`, {
      headers: { authorization: `Bearer ${cfg.token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) {
      const code = res.status >= 500 || res.status === 429 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED';
      throw new RefitError(code, `downloading ${file} of ${at} → ${res.status}`);
    }
    writeOutput(outputDir, file, new Uint8Array(await res.arrayBuffer()), at);
    n++;
  }
  return n;
}
