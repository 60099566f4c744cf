/**
 * Handing a promoted version to its deploy target, once per run: refit's own serving needs
 * nothing more than the alias move (the prediction endpoint reloads); a webhook gets a signed
 * POST with the version and its artifact (the run's delivery key as `x-refit-delivery`, for the
 * receiver to de-duplicate); an inference Space is restarted (`POST {hub}/api/spaces/{id}/restart`).
 */
import type { AppContext } from '../app-context.js';
import { reveal } from '../config/secret.js';
import { httpCall, upstreamError, type HttpOutcome } from '../integrations/http.js';
import { SIGNATURE_HEADER, signBody } from '../integrations/sign.js';
import type { ModelVersion } from '../stores/versions.js';

const TIMEOUT_MS = 30_000;

export async function pushToTarget(app: AppContext, v: ModelVersion, deliveryKey: string): Promise<string> {
  const d = app.config.models[v.model]!.deploy;
  if (d.target === 'serve') return `refit serving: ${v.model} champion is v${v.version}`;
  const nowMs = app.clock.now();
  const out =
    d.target === 'webhook' ? await postWebhook(app, v, deliveryKey, nowMs) : await restartSpace(app, v, nowMs);
  // 429/5xx/network: the run step retries; 401/403/404/4xx: fix the configuration first.
  if (out.kind !== 'ok') throw upstreamError(out, `deploying ${v.model} v${v.version} to ${d.target}`);
  return d.target === 'webhook' ? `webhook answered ${out.status}` : `Space ${d.space} restarted`;
}

async function postWebhook(app: AppContext, v: ModelVersion, deliveryKey: string, nowMs: number): Promise<HttpOutcome> {
  const d = app.config.models[v.model]!.deploy;
  const body = JSON.stringify({
    event: 'deploy',
    model: v.model,
    version: v.version,
    artifact: { uri: v.artifact.uri, sha256: v.artifact.sha256 },
    run: v.runId,
    at: new Date(nowMs).toISOString(),
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-refit-event': 'deploy',
    'x-refit-delivery': deliveryKey,
  };
  if (d.secret) headers[SIGNATURE_HEADER] = signBody(d.secret.value, body);
  return httpCall({ method: 'POST', url: d.url!.value, headers, body, timeoutMs: TIMEOUT_MS }, nowMs);
}

async function restartSpace(app: AppContext, v: ModelVersion, nowMs: number): Promise<HttpOutcome> {
  const d = app.config.models[v.model]!.deploy;
  const url = `${app.config.hubUrl}/api/spaces/${d.space}/restart`;
  return httpCall({ method: 'POST', url, token: reveal(d.token), timeoutMs: TIMEOUT_MS }, nowMs);
}
