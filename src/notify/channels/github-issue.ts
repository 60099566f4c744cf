/**
 * GitHub issues as a notification channel (Octokit): one open issue per model line and problem
 * (found by a marker in its body), commented on for every later event rather than duplicated.
 * Each issue or comment carries the event id as a marker, so a retried delivery first looks for it
 * and does not post twice.
 */
import type { NotifyChannel } from '../../config/config.js';
import { githubClient, repoParts, statusOf } from '../../integrations/github.js';
import { DeliveryError, type DeliveryContext } from '../delivery.js';
import type { NotifyEvent } from '../event.js';

type Channel = Extract<NotifyChannel, { kind: 'github-issue' }>;

const problemMarker = (e: NotifyEvent) => `<!-- refit:problem=${e.model ?? '-'}/${e.problem} -->`;
const eventMarker = (e: NotifyEvent) => `<!-- refit:event=${e.id} -->`;
/** How many open issues are searched for the problem's marker. */
const MAX_OPEN_ISSUES = 1000;

export async function deliverGithubIssue(channel: Channel, event: NotifyEvent, ctx: DeliveryContext): Promise<string> {
  const gh = githubClient({
    apiUrl: ctx.githubApiUrl,
    token: channel.token.value,
    timeoutMs: ctx.timeoutMs,
    retries: 0,
  });
  const at = repoParts(channel.repo);
  try {
    const open = await gh.paginate(
      gh.rest.issues.listForRepo,
      { ...at, state: 'open', labels: channel.labels.join(',') || undefined, per_page: 100 },
      (response, done) => {
        if (response.data.length >= MAX_OPEN_ISSUES) done();
        return response.data;
      },
    );
    const existing = open.filter((i) => !i.pull_request).find((i) => i.body?.includes(problemMarker(event)));
    const text = `${event.text}\n\n\`\`\`json\n${JSON.stringify(event.data, null, 2)}\n\`\`\`\n${eventMarker(event)}`;
    if (!existing) {
      const body = `${text}\n${problemMarker(event)}`;
      const created = await gh.rest.issues.create({
        ...at,
        title: `[refit] ${event.title}`,
        body,
        labels: channel.labels,
      });
      return `#${created.data.number}`;
    }
    if (existing.body?.includes(eventMarker(event))) return `#${existing.number}`;
    if (ctx.retry) {
      const comments = await gh.paginate(gh.rest.issues.listComments, {
        ...at,
        issue_number: existing.number,
        per_page: 100,
      });
      if (comments.some((c) => c.body?.includes(eventMarker(event)))) return `#${existing.number}`;
    }
    await gh.rest.issues.createComment({ ...at, issue_number: existing.number, body: `**${event.title}**\n\n${text}` });
    return `#${existing.number}`;
  } catch (err) {
    throw deliveryError(err);
  }
}

function deliveryError(err: unknown): DeliveryError {
  const status = statusOf(err);
  const message = `GitHub: ${status ? `${status} ` : ''}${(err as Error).message.split('\n')[0]}`;
  const headers = (err as { response?: { headers?: Record<string, string> } }).response?.headers;
  const after = Number(headers?.['retry-after']);
  const retryable = status === null || status === 429 || status >= 500;
  return new DeliveryError(message, retryable, retryable && Number.isFinite(after) ? after * 1000 : null);
}
