/**
 * Notifications against real local receivers: a Slack-shaped incoming webhook, a signed generic
 * webhook, an SMTP server and a GitHub-shaped issues API. Delivery is recorded, retried with
 * backoff, de-duplicated by event id; GitHub gets one issue per model line and problem; secrets
 * stay out of the store; a run's outcome is announced once, with its numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { ManualClock } from '../src/core/ports/clock.js';
import { verifySignature } from '../src/integrations/sign.js';
import type { NotifyEvent } from '../src/notify/event.js';
import { deliverDue, MAX_ATTEMPTS, notify } from '../src/notify/outbox.js';
import { notifyRun } from '../src/pipeline/run-notify.js';
import { undeliveredNote } from '../src/pipeline/steps/notify.js';
import { claimDelivery, listDeliveries } from '../src/stores/notifications.js';
import { cli, project } from './helpers/project.js';
import { Receivers, SmtpReceiver } from './helpers/receivers.js';

const T0 = Date.parse('2026-11-22T12:00:00Z');
const SLACK_PATH = '/slack/T0001/B0001/s3cr3tSlackPath';
const HOOK_SECRET = 'hook-signing-secret-xyz';

let rx: Receivers;
let smtp: SmtpReceiver;
beforeAll(async () => {
  rx = await new Receivers().start();
  smtp = await new SmtpReceiver().start();
});
afterAll(async () => {
  await rx.stop();
  await smtp.stop();
});

const channels = () => `
github_api_url: ${rx.url}
notify:
  - { kind: slack, webhook_url: "${rx.url}${SLACK_PATH}" }
  - { kind: webhook, url: "${rx.url}/hook", secret: "${HOOK_SECRET}", events: [rolled_back, alert, promoted] }
  - { kind: email, smtp: "smtp://${smtp.user}:${smtp.password}@127.0.0.1:${smtp.port}", from: "refit@example.com", to: ["ml-team@example.com"] }
  - { kind: github-issue, repo: acme/models, token: "${rx.githubToken}", events: [alert, rolled_back, run_failed] }
`;

const event = (id: string, kind: NotifyEvent['kind'], problem = 'degradation'): NotifyEvent => ({
  id,
  kind,
  model: 'spam',
  problem,
  title: `spam v4 degraded in production: accuracy 0.801 vs v3 0.950 — rolled back to v3`,
  text: 'v4 accuracy 0.8010 on 400 reviewed vs v3 0.9500 on 1000',
  data: { champion: 4, previous: 3, champion_accuracy: 0.801 },
  atMs: T0,
});

describe('notification channels', () => {
  it('delivers to every matching channel once, signed, with the numbers; GitHub comments instead of duplicating', async () => {
    const clock = new ManualClock(T0);
    const app = await openApp({ cwd: project(`${channels()}\nmodels:\n  spam: {}\n`), env: {}, clock });
    try {
      expect(await notify(app, event('e1', 'rolled_back'))).toBe(4);
      expect(await notify(app, event('e1', 'rolled_back'))).toBe(0); // the same event again: nothing new
      const out = await deliverDue(app);
      expect(out.map((o) => o.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
      expect(await deliverDue(app)).toEqual([]); // nothing due twice

      const slack = rx.to('/slack/');
      expect(slack).toHaveLength(1);
      expect(JSON.parse(slack[0]!.body).text).toContain('spam v4 degraded in production: accuracy 0.801 vs v3 0.950');
      const hook = rx.to('/hook');
      expect(hook).toHaveLength(1);
      expect(verifySignature(HOOK_SECRET, hook[0]!.body, hook[0]!.headers['x-refit-signature'] as string)).toBe(true);
      expect(verifySignature('wrong-secret', hook[0]!.body, hook[0]!.headers['x-refit-signature'] as string)).toBe(
        false,
      );
      expect(JSON.parse(hook[0]!.body)).toMatchObject({
        id: 'e1',
        kind: 'rolled_back',
        model: 'spam',
        data: { champion: 4 },
      });
      expect(hook[0]!.headers['x-refit-delivery']).toBe('e1');
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]).toMatchObject({
        to: ['ml-team@example.com'],
        subject: expect.stringContaining('[refit] spam v4 degraded'),
      });
      expect(smtp.mails[0]!.messageId).toBe('<e1@refit>');
      expect(rx.issues).toHaveLength(1);
      expect(rx.issues[0]!.labels.map((l) => l.name)).toEqual(['refit']);

      // A second event of the same problem comments on the open issue; another problem opens one.
      await notify(app, event('e2', 'alert'));
      await notify(app, event('e3', 'run_failed', 'run_failed'));
      await deliverDue(app);
      expect(rx.issues).toHaveLength(2);
      expect(rx.issues[0]!.comments).toHaveLength(1);
      expect(rx.issues[0]!.comments[0]!.body).toContain('<!-- refit:event=e2 -->');
      // The webhook channel only wants rolled_back/alert/promoted: e3 (run_failed) did not go there.
      expect(rx.to('/hook').map((r) => JSON.parse(r.body).id)).toEqual(['e1', 'e2']);
    } finally {
      await closeApp(app);
    }
  });

  it('retries with backoff on 5xx and temporary SMTP errors, gives up on permanent ones, and never stores a secret', async () => {
    const clock = new ManualClock(T0);
    const app = await openApp({ cwd: project(`${channels()}\nmodels:\n  spam: {}\n`), env: {}, clock });
    try {
      rx.faults.set('/slack/', [503, 500]);
      rx.faults.set('/hook', [404]);
      smtp.rejectNext = [451];
      await notify(app, event('r1', 'rolled_back', 'retry-test'));
      const first = await deliverDue(app);
      const by = (o: typeof first, ch: string) => o.find((x) => x.channel.startsWith(ch));
      expect(by(first, 'slack')!.state).toBe('pending');
      expect(by(first, 'webhook')).toMatchObject({ state: 'failed' }); // 404: retrying cannot help
      expect(by(first, 'email')!.state).toBe('pending');
      expect(by(first, 'github')!.state).toBe('delivered');
      // Not due again before the backoff (30 s after the first attempt).
      clock.advance(10_000);
      expect(await deliverDue(app)).toEqual([]);
      clock.advance(25_000);
      const second = await deliverDue(app);
      expect(by(second, 'slack')!.state).toBe('pending'); // the 500
      expect(by(second, 'email')!.state).toBe('delivered');
      clock.advance(60_000);
      expect(by(await deliverDue(app), 'slack')!.state).toBe('delivered');

      const rows = await app.store.db.selectFrom('notifications').selectAll().where('event_id', '=', 'r1').execute();
      const slackRow = rows.find((r) => r.channel.startsWith('slack'))!;
      expect(slackRow).toMatchObject({ state: 'delivered', attempts: 3 });
      const hookRow = rows.find((r) => r.channel.startsWith('webhook'))!;
      expect(hookRow.last_error).toMatch(/webhook: POST .* → 404: not found/);
      const stored = JSON.stringify(rows);
      for (const secret of ['s3cr3tSlackPath', HOOK_SECRET, smtp.password, rx.githubToken])
        expect(stored).not.toContain(secret);
      expect(MAX_ATTEMPTS).toBeGreaterThan(3);
    } finally {
      rx.faults.clear();
      await closeApp(app);
    }
  });

  it('a failed Slack delivery that keeps failing ends as failed after the last attempt, and the error hides the webhook URL', async () => {
    const clock = new ManualClock(T0);
    const app = await openApp({
      cwd: project(`notify:\n  - { kind: slack, webhook_url: "${rx.url}${SLACK_PATH}" }\nmodels:\n  spam: {}\n`),
      env: {},
      clock,
    });
    try {
      rx.faults.set('/slack/', Array(MAX_ATTEMPTS).fill(500));
      await notify(app, event('f1', 'alert', 'failing'));
      let last = '';
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const o = await deliverDue(app);
        last = o[0]?.state ?? last;
        clock.advance(3_600_000);
      }
      expect(last).toBe('failed');
      const row = await app.store.db
        .selectFrom('notifications')
        .selectAll()
        .where('event_id', '=', 'f1')
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(MAX_ATTEMPTS);
      expect(row.last_error).toContain('***');
      expect(row.last_error).not.toContain('s3cr3tSlackPath');
    } finally {
      rx.faults.clear();
      await closeApp(app);
    }
  });
});

const examples = () =>
  Array.from({ length: 80 }, (_, i) =>
    JSON.stringify({
      type: 'example',
      id: `e${i}`,
      model: 'urgency',
      input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}` },
      label: i % 2 ? 'high' : 'low',
    }),
  ).join('\n');

describe('notifications from runs', () => {
  it('a promoted run is announced once per channel with its numbers; a rejected one with its reasons', async () => {
    const before = rx.to('/slack/').length;
    const dir = project(
      `notify:\n  - { kind: slack, webhook_url: "${rx.url}${SLACK_PATH}" }\nmodels:\n  urgency:\n    labels: [low, high]\n    gate:\n      - { metric: accuracy, min: 0.5 }\n`,
      { 'e.ndjson': examples() },
    );
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const slack = rx.to('/slack/').slice(before);
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]!.body).text).toMatch(
      /^\*urgency v1 retrained on v\d{8}_\d{6} and deployed: accuracy \d\.\d{3} \(first model\)\*/,
    );
    // Another tick (retries, monitoring) sends nothing new.
    await cli(['run', '--json'], { cwd: dir });
    expect(rx.to('/slack/').slice(before)).toHaveLength(1);

    const strict = project(
      `notify:\n  - { kind: slack, webhook_url: "${rx.url}${SLACK_PATH}" }\nmodels:\n  urgency:\n    labels: [low, high]\n    gate:\n      - { metric: accuracy, min: 1.01 }\n`,
      { 'e.ndjson': examples() },
    );
    await cli(['ingest', 'e.ndjson'], { cwd: strict });
    expect((await cli(['run', '--force', 'urgency', '--json'], { cwd: strict })).code).toBe(1);
    const rejected = rx.to('/slack/').slice(before + 1);
    expect(rejected).toHaveLength(1);
    expect(JSON.parse(rejected[0]!.body).text).toMatch(
      /candidate of run_\S+ rejected\*\ncandidate rejected: accuracy [\d.]+ is below the minimum 1\.01/,
    );
  });
});

describe('a delivery an earlier attempt claimed and never finished', () => {
  it('is said in the run notice (not a silent success) and delivered once the claim lapses', async () => {
    const clock = new ManualClock(T0);
    const yaml = `notify:\n  - { kind: slack, webhook_url: "${rx.url}/slack/claimed" }\nmodels:\n  spam: {}\n`;
    const app = await openApp({ cwd: project(yaml), env: {}, clock });
    try {
      const notice = { runId: 'run_dead', model: 'spam', kind: 'promoted' as const, title: 't', text: 'x', data: {} };
      // What a process killed during notify leaves: the row recorded and claimed, nothing sent.
      await notify(app, { ...event('run_dead:promoted', 'promoted', 'deployments'), data: { run: 'run_dead' } });
      const [row] = await listDeliveries(app.store, { eventId: 'run_dead:promoted' });
      expect(await claimDelivery(app.store, row!, T0 + 60_000)).toBe(true);
      const again = await notifyRun(app, notice);
      expect(again.delivered).toBe(0);
      expect(again.pending).toEqual([
        {
          channel: row!.channel,
          error: expect.stringMatching(
            /an earlier attempt claimed it until 2026-11-22T12:01:00\.000Z and did not finish/,
          ),
        },
      ]);
      expect(undeliveredNote(again)).toMatch(/^; not delivered yet: .*did not finish/);
      expect(rx.to('/slack/claimed')).toHaveLength(0);
      clock.advance(61_000);
      expect((await deliverDue(app)).map((d) => d.state)).toEqual(['delivered']);
      expect(rx.to('/slack/claimed')).toHaveLength(1);
    } finally {
      await closeApp(app);
    }
  });
});
