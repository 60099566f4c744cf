/**
 * The HTTP job executor: training on any service that speaks a small job API.
 *   submit  POST {url}  (x-refit-signature: sha256=HMAC of the body; x-refit-delivery: job key)
 *           {"key","model","task","params","dataset":{"train","eval","test"}}  (JSONL text per split)
 *           → 200/201/202 {"id","status_url","cancel_url"?}; the same key must give the same job
 *   poll    GET status_url → {"state":"queued|running|succeeded|failed|cancelled","logs"?,"error"?,
 *           "outputs"?:[{"path","url"}]}
 *   collect GET each output url into the job's output directory (paths stay inside it)
 *   cancel  POST cancel_url (or DELETE status_url)
 * Every call is one `httpCall`: 429/5xx/network are retried by the caller, 4xx are final.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutput } from './output-dir.js';
import { RefitError } from '../core/errors.js';
import { httpCall, jsonOf } from '../integrations/http.js';
import { z } from 'zod';
import { SIGNATURE_HEADER, signBody } from '../integrations/sign.js';
import type { RemoteExecutor, RemoteJob, RemoteStatus } from './remote.js';

export interface HttpJobConfig {
  url: string;
  secret: string | null;
  token: string | null;
}

export interface RemoteHandle {
  id: string;
  statusUrl: string;
  cancelUrl: string | null;
}

type HttpStatus = RemoteStatus & { outputs: { path: string; url: string }[] };

const TIMEOUT_MS = 30_000;

/** What the job API answers a submit with (README: "Training on any HTTP job API"). */
const SUBMITTED = z
  .object({ id: z.string(), status_url: z.string(), cancel_url: z.string().optional() })
  .describe('{"id": "...", "status_url": "...", "cancel_url"?: "..."}');

const STATUS = z
  .object({
    state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    logs: z.array(z.unknown()).optional(),
    error: z.unknown().optional(),
    outputs: z.array(z.object({ path: z.string(), url: z.string() })).optional(),
  })
  .describe('{"state": "queued|running|…", "logs"?: [...], "error"?: "...", "outputs"?: [{"path", "url"}]}');

export async function submitHttpJob(cfg: HttpJobConfig, job: RemoteJob): Promise<RemoteHandle> {
  const split = (s: string) => readFileSync(join(job.datasetDir, `${s}.jsonl`), 'utf8');
  const body = JSON.stringify({
    key: job.key,
    model: job.model,
    task: job.task,
    params: job.params,
    dataset: { train: split('train'), eval: split('eval'), test: split('test') },
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-refit-delivery': job.key };
  if (cfg.secret) headers[SIGNATURE_HEADER] = signBody(cfg.secret, body);
  const submitted = await httpCall({
    method: 'POST',
    url: cfg.url,
    token: cfg.token,
    headers,
    body,
    timeoutMs: TIMEOUT_MS,
  });
  const r = jsonOf(submitted, 'submitting the training job to the job API', SUBMITTED);
  return {
    id: r.id,
    statusUrl: new URL(r.status_url, cfg.url).toString(),
    cancelUrl: typeof r.cancel_url === 'string' ? new URL(r.cancel_url, cfg.url).toString() : null,
  };
}

export async function pollHttpJob(cfg: HttpJobConfig, h: RemoteHandle): Promise<HttpStatus> {
  const out = await httpCall({ method: 'GET', url: h.statusUrl, token: cfg.token, timeoutMs: TIMEOUT_MS });
  const r = jsonOf(out, `checking job ${h.id}`, STATUS);
  return {
    state: r.state,
    logs: (r.logs ?? []).map(String),
    error: r.error ? String(r.error) : null,
    outputs: r.outputs ?? [],
  };
}

export async function collectHttpJob(
  cfg: HttpJobConfig,
  h: RemoteHandle,
  status: HttpStatus,
  outputDir: string,
): Promise<number> {
  for (const o of status.outputs) {
    const res = await fetch(new URL(o.url, h.statusUrl), {
      headers: cfg.token ? { authorization: `Bearer ${cfg.token}` } : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok)
      throw new RefitError(
        res.status >= 500 || res.status === 429 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED',
        `job ${h.id}: downloading output ${o.path} → ${res.status}`,
      );
    writeOutput(outputDir, o.path, new Uint8Array(await res.arrayBuffer()), `job ${h.id}`);
  }
  return status.outputs.length;
}

export async function cancelHttpJob(cfg: HttpJobConfig, h: RemoteHandle): Promise<void> {
  const out = h.cancelUrl
    ? await httpCall({ method: 'POST', url: h.cancelUrl, token: cfg.token, timeoutMs: TIMEOUT_MS })
    : await httpCall({ method: 'DELETE', url: h.statusUrl, token: cfg.token, timeoutMs: TIMEOUT_MS });
  if (out.kind !== 'ok' && out.kind !== 'not_found')
    throw new RefitError('UPSTREAM_UNAVAILABLE', `cancelling job ${h.id}: ${out.message}`);
}

export function httpJobExecutor(
  cfg: HttpJobConfig,
): RemoteExecutor<RemoteHandle & { outputs?: HttpStatus['outputs'] }> {
  return {
    name: 'http',
    submit: (job) => submitHttpJob(cfg, job),
    poll: async (h) => {
      const status = await pollHttpJob(cfg, h);
      const ended = status.state === 'failed' || status.state === 'cancelled';
      return {
        status: {
          ...status,
          error: ended
            ? `the remote job ${h.id} ${status.state}${status.error ? `: ${status.error}` : ''}`
            : status.error,
        },
        handle: { ...h, outputs: status.outputs },
      };
    },
    collect: (h, status, dir) => collectHttpJob(cfg, h, { ...status, outputs: h.outputs ?? [] }, dir),
    cancel: (h) => cancelHttpJob(cfg, h),
  };
}
