/**
 * Triggers an external dataset preparer, once: restart a Hugging Face Space
 * (`POST {hub}/api/spaces/{id}/restart[?factory=true]`), dispatch a GitHub workflow
 * (`POST {api}/repos/{o}/{r}/actions/workflows/{file}/dispatches` → 204), POST a signed webhook,
 * or run a local command (its whole process group is killed on timeout).
 */
import { runCommand } from '../../executors/command.js';
import { signBody, SIGNATURE_HEADER } from '../../integrations/sign.js';
import type { PreparePolicy, RefitConfig } from '../../config/config.js';
import { httpCall, type HttpOutcome } from '../../integrations/http.js';

export interface TriggerContext {
  config: RefitConfig;
  model: string;
  key: string;
  required: number;
}

export async function triggerPreparer(policy: PreparePolicy, ctx: TriggerContext, nowMs: number): Promise<HttpOutcome> {
  const t = policy;
  const timeoutMs = policy.poll.requestTimeout;
  const token = policy.token?.value ?? null;
  switch (t.kind) {
    case 'builtin':
      return { kind: 'ok', status: 200, body: '' };
    case 'hf-space':
      return httpCall(
        {
          method: 'POST',
          url: `${ctx.config.hubUrl}/api/spaces/${t.space}/restart${t.factory ? '?factory=true' : ''}`,
          token,
          timeoutMs,
        },
        nowMs,
      );
    case 'github-workflow':
      return httpCall(
        {
          method: 'POST',
          url: `${ctx.config.githubApiUrl}/repos/${t.repo}/actions/workflows/${encodeURIComponent(t.workflow)}/dispatches`,
          token,
          headers: {
            accept: 'application/vnd.github+json',
            'content-type': 'application/json',
            'x-github-api-version': '2022-11-28',
          },
          body: JSON.stringify({
            ref: t.ref,
            inputs: { ...t.inputs, refit_model: ctx.model, refit_required: String(ctx.required), refit_key: ctx.key },
          }),
          timeoutMs,
        },
        nowMs,
      );
    case 'webhook': {
      const body = JSON.stringify({
        event: 'prepare_dataset',
        model: ctx.model,
        required: ctx.required,
        key: ctx.key,
        at: new Date(nowMs).toISOString(),
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-refit-event': 'prepare_dataset',
        'x-refit-delivery': ctx.key,
      };
      if (t.secret) headers[SIGNATURE_HEADER] = signBody(t.secret.value, body);
      return httpCall({ method: 'POST', url: t.url.value, headers, body, timeoutMs }, nowMs);
    }
    case 'command':
      return runPreparerCommand(
        t.command,
        { REFIT_MODEL: ctx.model, REFIT_REQUIRED: String(ctx.required), REFIT_PREPARE_KEY: ctx.key },
        t.timeout,
      );
  }
}

async function runPreparerCommand(
  argv: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<HttpOutcome> {
  const r = await runCommand(argv, env, timeoutMs);
  if (r.ok) return { kind: 'ok', status: 0, body: r.logs.join('\n') };
  return r.code === null && r.error?.includes('did not finish')
    ? { kind: 'retryable', status: null, retryAfterMs: null, message: r.error }
    : { kind: 'client', status: r.code ?? -1, message: r.error ?? 'command failed' };
}
