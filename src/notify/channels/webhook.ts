/**
 * A generic webhook: a JSON POST per event, signed (`x-refit-signature: sha256=<HMAC>`) when the
 * channel has a secret, with the event id as `x-refit-delivery` for the receiver to de-duplicate.
 */
import type { NotifyChannel } from '../../config/config.js';
import { httpCall } from '../../integrations/http.js';
import { SIGNATURE_HEADER, signBody } from '../../integrations/sign.js';
import { check, type DeliveryContext } from '../delivery.js';
import type { NotifyEvent } from '../event.js';

type Webhook = Extract<NotifyChannel, { kind: 'webhook' }>;

export async function deliverWebhook(channel: Webhook, event: NotifyEvent, ctx: DeliveryContext): Promise<null> {
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
  const req = { method: 'POST' as const, url: channel.url.value, headers, body, timeoutMs: ctx.timeoutMs };
  check(await httpCall(req, ctx.nowMs), 'webhook');
  return null;
}
