/**
 * Delivering one event to one channel: Slack incoming webhook, signed generic webhook, e-mail
 * over SMTP, GitHub issue (channels/). Each returns what the channel made (a message id, an issue
 * number) or throws a DeliveryError that says whether retrying can help.
 */
import type { NotifyChannel } from '../config/config.js';
import { deliverEmail } from './channels/email.js';
import { deliverGithubIssue } from './channels/github-issue.js';
import { deliverSlack } from './channels/slack.js';
import { deliverWebhook } from './channels/webhook.js';
import type { DeliveryContext } from './delivery.js';
import type { NotifyEvent } from './event.js';

export { DeliveryError, type DeliveryContext } from './delivery.js';

export async function deliver(
  channel: NotifyChannel,
  event: NotifyEvent,
  ctx: DeliveryContext,
): Promise<string | null> {
  switch (channel.kind) {
    case 'slack':
      return deliverSlack(channel, event, ctx);
    case 'webhook':
      return deliverWebhook(channel, event, ctx);
    case 'email':
      return deliverEmail(channel, event, ctx);
    case 'github-issue':
      return deliverGithubIssue(channel, event, ctx);
  }
}
