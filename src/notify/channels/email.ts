/**
 * E-mail over SMTP (nodemailer). The Message-ID derives from the event id, so a receiving system
 * can drop a repeat; 5xx SMTP replies and refused logins are final, connection trouble and 4xx not.
 */
import type { NotifyChannel } from '../../config/config.js';
import { DeliveryError, type DeliveryContext } from '../delivery.js';
import type { NotifyEvent } from '../event.js';

type Email = Extract<NotifyChannel, { kind: 'email' }>;

export async function deliverEmail(channel: Email, event: NotifyEvent, ctx: DeliveryContext): Promise<string | null> {
  const { createTransport } = await import('nodemailer');
  const u = new URL(channel.smtp.value);
  const auth = u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined;
  const transport = createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    auth,
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
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
    const permanent = (e.responseCode !== undefined && e.responseCode >= 500) || e.code === 'EAUTH';
    throw new DeliveryError(`SMTP: ${e.message}`, !permanent);
  } finally {
    transport.close();
  }
}
