/**
 * Handing a promoted version to its deploy target, once per run: refit's own serving needs
 * nothing more than the alias move (the prediction endpoint reloads); a webhook gets a signed
 * POST with the version and its artifact (the run id as delivery id, for the receiver to
 * de-duplicate); an inference Space is restarted (`POST {hub}/api/spaces/{id}/restart`).
 */
import type { AppContext } from '../app-context.js';
import { RefitError } from '../core/errors.js';
import { NonRetriableError } from '../engine/step.js';
import { httpCall } from '../integrations/http.js';
import { SIGNATURE_HEADER, signBody } from '../integrations/sign.js';
import type { ModelVersion } from '../registry/registry.js';

export async function pushToTarget(app: AppContext, v: ModelVersion, runId: string): Promise<string> {
  const d = app.config.models[v.model]!.deploy;
  const nowMs = app.clock.now();
  if (d.target === 'serve') return `refit serving: ${v.model} champion is v${v.version}`;
  const out =
    d.target === 'webhook'
      ? await (() => {
          const body = JSON.stringify({
            event: 'deploy',
            model: v.model,
            version: v.version,
            artifact: { uri: v.artifact.uri, sha256: v.artifact.sha256 },
            run: runId,
            at: new Date(nowMs).toISOString(),
          });
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            'x-refit-event': 'deploy',
            'x-refit-delivery': `${runId}:deploy`,
          };
          if (d.secret) headers[SIGNATURE_HEADER] = signBody(d.secret, body);
          return httpCall({ method: 'POST', url: d.url!, headers, body, timeoutMs: 30_000 }, nowMs);
        })()
      : await httpCall(
          {
            method: 'POST',
            url: `${app.config.hubUrl}/api/spaces/${d.space}/restart`,
            token: d.token,
            timeoutMs: 30_000,
          },
          nowMs,
        );
  if (out.kind !== 'ok') {
    const message = `deploying ${v.model} v${v.version} to ${d.target}: ${out.message}`;
    // 429/5xx/network: the run step retries; 401/403/404/4xx: fix the configuration first.
    throw out.kind === 'retryable' ? new RefitError('EXTERNAL_SIGNAL', message) : new NonRetriableError(message);
  }
  return d.target === 'webhook' ? `webhook answered ${out.status}` : `Space ${d.space} restarted`;
}
