/** Slack: an incoming-webhook POST of the title in bold and the text. */
import type { NotifyChannel } from '../../config/config.js';
import { httpCall } from '../../integrations/http.js';
import { check, type DeliveryContext } from '../delivery.js';
import type { NotifyEvent } from '../event.js';

type Slack = Extract<NotifyChannel, { kind: 'slack' }>;

export async function deliverSlack(channel: Slack, event: NotifyEvent, ctx: DeliveryContext): Promise<null> {
  const body = JSON.stringify({ text: `*${event.title}*\n${event.text}` });
  const headers = { 'content-type': 'application/json' };
  const req = { method: 'POST' as const, url: channel.webhookUrl.value, headers, body, timeoutMs: ctx.timeoutMs };
  check(await httpCall(req, ctx.nowMs), 'Slack');
  return null;
}
