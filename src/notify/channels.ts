/**
 * Delivering one event to one channel: Slack incoming webhook, signed generic webhook, e-mail
 * over SMTP (nodemailer), GitHub issue (github-issue.ts). Each returns what the channel made
 * (a message id, an issue number) or throws a DeliveryError that says whether retrying can help.
 */
import type { NotifyChannel } from '../config/config.js';
import { httpCall, type HttpOutcome } from '../integrations/http.js';
import { SIGNATURE_HEADER, signBody } from '../integrations/sign.js';
import type { NotifyEvent } from './event.js';
import { deliverGithubIssue } from './github-issue.js';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface DeliveryContext {
  githubApiUrl: string;
  timeoutMs: number;
  nowMs: number;
  /** Earlier attempts exist: the channel checks whether one of them already landed. */
  retry: boolean;
}

export async function deliver(
  channel: NotifyChannel,
  event: NotifyEvent,
  ctx: DeliveryContext,
): Promise<string | null> {
  switch (channel.kind) {
    case 'slack': {
      const body = JSON.stringify({ text: `*${event.title}*\n${event.text}` });
      check(
        await httpCall(
          {
            method: 'POST',
            url: channel.webhookUrl.value,
            headers: { 'content-type': 'application/json' },
            body,
            timeoutMs: ctx.timeoutMs,
          },
          ctx.nowMs,
        ),
        'Slack',
      );
      return null;
    }
    case 'webhook': {
      const body = JSON.stringify({
        id: event.id,
        kind: event.kind,
        model: event.model,
        title: event.title,
        text: event.text,
        data: event.data,
        at: new Date(event.atMs).toISOString(),
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-refit-event': event.kind,
        'x-refit-delivery': event.id,
      };
      if (channel.secret) headers[SIGNATURE_HEADER] = signBody(channel.secret.value, body);
      check(
        await httpCall({ method: 'POST', url: channel.url.value, headers, body, timeoutMs: ctx.timeoutMs }, ctx.nowMs),
        'webhook',
      );
      return null;
    }
    case 'email': {
      const { createTransport } = await import('nodemailer');
      const u = new URL(channel.smtp.value);
      const transport = createTransport({
        host: u.hostname,
        port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
        secure: u.protocol === 'smtps:',
        auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
        connectionTimeout: ctx.timeoutMs,
        greetingTimeout: ctx.timeoutMs,
        socketTimeout: ctx.timeoutMs,
      });
      try {
        // The Message-ID derives from the event id, so a receiving system can drop a repeat.
        const info = await transport.sendMail({
          from: channel.from,
          to: channel.to,
          subject: `[refit] ${event.title}`,
          text: `${event.text}\n\n${JSON.stringify(event.data, null, 2)}\n`,
          messageId: `<${event.id.replace(/[^\w.-]/g, '.')}@refit>`,
        });
        return info.messageId ?? null;
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string };
        // 5xx SMTP replies are permanent (bad recipient, auth); connection trouble and 4xx are not.
        throw new DeliveryError(`SMTP: ${e.message}`, !(e.responseCode && e.responseCode >= 500) && e.code !== 'EAUTH');
      } finally {
        transport.close();
      }
    }
    case 'github-issue':
      return deliverGithubIssue(channel, event, ctx);
  }
}

export function check(out: HttpOutcome, what: string): string {
  if (out.kind === 'ok') return out.body;
  if (out.kind === 'retryable') throw new DeliveryError(`${what}: ${out.message}`, true, out.retryAfterMs);
  throw new DeliveryError(`${what}: ${out.message}`, false);
}
