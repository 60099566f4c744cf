/**
 * GitHub issues as a notification channel: one open issue per model line and problem (found by a
 * marker in its body), commented on for every later event rather than duplicated. Each issue or
 * comment carries the event id as a marker, so a retried delivery first looks for it and does
 * not post twice.
 */
import type { NotifyChannel } from '../../config/config.js';
import { httpCall } from '../../integrations/http.js';
import { check, type DeliveryContext } from '../delivery.js';
import type { NotifyEvent } from '../event.js';

type Channel = Extract<NotifyChannel, { kind: 'github-issue' }>;

interface Issue {
  number: number;
  body: string | null;
  pull_request?: unknown;
}

const problemMarker = (e: NotifyEvent) => `<!-- refit:problem=${e.model ?? '-'}/${e.problem} -->`;
const eventMarker = (e: NotifyEvent) => `<!-- refit:event=${e.id} -->`;

export async function deliverGithubIssue(channel: Channel, event: NotifyEvent, ctx: DeliveryContext): Promise<string> {
  const api = `${ctx.githubApiUrl}/repos/${channel.repo}`;
  const headers = {
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
    'x-github-api-version': '2022-11-28',
  };
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) =>
    JSON.parse(
      check(
        await httpCall(
          {
            method,
            url: `${api}${path}`,
            token: channel.token.value,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            timeoutMs: ctx.timeoutMs,
          },
          ctx.nowMs,
        ),
        'GitHub',
      ) || 'null',
    );

  const labels = channel.labels.map(encodeURIComponent).join(',');
  const open: Issue[] = [];
  for (let page = 1; page <= 10; page++) {
    const batch = (await call(
      'GET',
      `/issues?state=open&per_page=100&page=${page}${labels ? `&labels=${labels}` : ''}`,
    )) as Issue[];
    open.push(...batch.filter((i) => !i.pull_request));
    if (batch.length < 100) break;
  }
  const existing = open.find((i) => i.body?.includes(problemMarker(event)));
  const text = `${event.text}\n\n\`\`\`json\n${JSON.stringify(event.data, null, 2)}\n\`\`\`\n${eventMarker(event)}`;
  if (!existing) {
    const created = (await call('POST', '/issues', {
      title: `[refit] ${event.title}`,
      body: `${text}\n${problemMarker(event)}`,
      labels: channel.labels,
    })) as Issue;
    return `#${created.number}`;
  }
  if (existing.body?.includes(eventMarker(event))) return `#${existing.number}`;
  if (ctx.retry) {
    const comments = (await call('GET', `/issues/${existing.number}/comments?per_page=100`)) as { body: string }[];
    if (comments.some((c) => c.body.includes(eventMarker(event)))) return `#${existing.number}`;
  }
  await call('POST', `/issues/${existing.number}/comments`, { body: `**${event.title}**\n\n${text}` });
  return `#${existing.number}`;
}
