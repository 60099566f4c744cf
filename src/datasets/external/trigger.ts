/**
 * Triggers an external dataset preparer, once: restart a Hugging Face Space
 * (`POST {hub}/api/spaces/{id}/restart[?factory=true]`), dispatch a GitHub workflow
 * (`POST {api}/repos/{o}/{r}/actions/workflows/{file}/dispatches` → 204), POST a signed webhook,
 * or run a local command (its whole process group is killed on timeout).
 */
import { runCommand } from '../../executors/command.js';
import { signBody, SIGNATURE_HEADER } from '../../integrations/sign.js';
import type { PreparePolicy, RefitConfig } from '../../config/config.js';
import { githubClient, repoParts, statusOf } from '../../integrations/github.js';
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
      return dispatchWorkflow(t, token, ctx);
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

/** `POST /repos/{o}/{r}/actions/workflows/{file}/dispatches` (204) through Octokit. */
async function dispatchWorkflow(
  t: Extract<PreparePolicy, { kind: 'github-workflow' }>,
  token: string | null,
  ctx: TriggerContext,
): Promise<HttpOutcome> {
  const gh = githubClient({
    apiUrl: ctx.config.githubApiUrl,
    token: token ?? '',
    timeoutMs: t.poll.requestTimeout,
    retries: 0,
  });
  const inputs = { ...t.inputs, refit_model: ctx.model, refit_required: String(ctx.required), refit_key: ctx.key };
  try {
    const r = await gh.rest.actions.createWorkflowDispatch({
      ...repoParts(t.repo),
      workflow_id: t.workflow,
      ref: t.ref,
      inputs,
    });
    return { kind: 'ok', status: r.status, body: '' };
  } catch (err) {
    const status = statusOf(err);
    const message = `dispatching ${t.workflow} in ${t.repo}: ${(err as Error).message.split('\n')[0]}`;
    if (status === null || status === 429 || status >= 500)
      return { kind: 'retryable', status, retryAfterMs: null, message };
    if (status === 401 || status === 403) return { kind: 'auth', status, message };
    return { kind: 'client', status, message };
  }
}
