/**
 * Deploying and verifying inside a run, against real local servers: a signed deploy webhook, an
 * inference Space restart, refit's own serving; a health URL that comes up late parks the run
 * until it does; sanity answers that differ from the evaluated predictions roll back to the
 * previous champion, fail the run and tell people — once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { verifySignature } from '../src/integrations/sign.js';
import { cli, project } from './helpers/project.js';
import { Receivers } from './helpers/receivers.js';

let rx: Receivers;
beforeAll(async () => {
  rx = await new Receivers().start();
});
afterAll(async () => rx.stop());

const examples = (prefix: string) =>
  Array.from({ length: 80 }, (_, i) =>
    JSON.stringify({
      type: 'example',
      id: `${prefix}${i}`,
      model: 'urgency',
      input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${prefix}${i}` },
      label: i % 2 ? 'high' : 'low',
    }),
  ).join('\n');
const rule = (i: Record<string, unknown>) => (String(i.text).includes('server') ? 'high' : 'low');

const config = (deploy: string) => `
hub_url: ${rx.url}
notify:
  - { kind: slack, webhook_url: "${rx.url}/slack/deploy" }
models:
  urgency:
    labels: [low, high]
    deploy: ${deploy}
`;

async function run(dir: string, extra: string[] = []) {
  const r = await cli(['run', '--force', 'urgency', '--json', ...extra], { cwd: dir });
  return { code: r.code, out: JSON.parse(r.stdout), stderr: r.stderr };
}

describe('deploy and verify', () => {
  it('webhook target: signed deploy call, health and sanity answers checked; a bad deployment rolls back once', async () => {
    rx.predictFn = rule;
    rx.health = 200;
    const dir = project(
      config(
        `{ target: webhook, url: "${rx.url}/hook/deploy", secret: "deploy-secret-123", verify: { health_url: "${rx.url}/deploy/health", predict_url: "${rx.url}/deploy/predict", sanity_requests: 6 } }`,
      ),
      { 'a.ndjson': examples('a'), 'b.ndjson': examples('b') },
    );
    await cli(['ingest', 'a.ndjson'], { cwd: dir });
    const first = await run(dir);
    expect(first.code, JSON.stringify(first.out)).toBe(0);
    const hook = rx.to('/hook/deploy');
    expect(hook).toHaveLength(1);
    expect(verifySignature('deploy-secret-123', hook[0]!.body, hook[0]!.headers['x-refit-signature'] as string)).toBe(
      true,
    );
    expect(JSON.parse(hook[0]!.body)).toMatchObject({
      event: 'deploy',
      model: 'urgency',
      version: 1,
      artifact: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const runId = first.out.runs[0].runId;
    const shown = JSON.parse((await cli(['runs', 'show', runId, '--json'], { cwd: dir })).stdout);
    expect(shown.steps.map((s: { step: string }) => s.step)).toEqual([
      'prepare',
      'validate',
      'train',
      'evaluate',
      'gate',
      'register',
      'deploy',
      'verify',
      'notify',
    ]);

    // The target now answers wrongly: v2 is deployed, fails verification and v1 comes back.
    rx.predictFn = () => 'low';
    await cli(['ingest', 'b.ndjson'], { cwd: dir });
    const slackBefore = rx.to('/slack/deploy').length;
    const second = await run(dir);
    expect(second.code).toBe(1);
    expect(second.out.runs[0].outcome).toMatch(
      /^urgency v2 failed verification on webhook \([0-5] of 6 sanity answers match the evaluated predictions \(\d+%, need 100%\); first mismatch: expected "high", got "low"\); rolled back to v1$/,
    );
    const models = JSON.parse((await cli(['models', 'urgency', '--json'], { cwd: dir })).stdout);
    expect(JSON.stringify(models)).toContain('champion');
    const history = JSON.parse((await cli(['models', 'history', 'urgency', '--json'], { cwd: dir })).stdout) as {
      alias: string;
      action: string;
      to: number | null;
    }[];
    expect(history.filter((h) => h.action === 'rollback' && h.alias === 'champion')).toEqual([
      expect.objectContaining({ to: 1 }),
    ]);
    const alerts = rx.to('/slack/deploy').slice(slackBefore);
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!.body).text).toContain('urgency v2 failed verification on webhook');
    // Ticking again changes nothing and says nothing more.
    await cli(['run', '--json'], { cwd: dir });
    expect(rx.to('/slack/deploy').slice(slackBefore)).toHaveLength(1);
  }, 120_000);

  it('a health URL that comes up late parks the run until it answers; hf-space target restarts the Space', async () => {
    rx.predictFn = rule;
    rx.health = 503;
    const dir = project(
      config(
        `{ target: hf-space, space: acme/urgency-api, token: "${rx.hfToken}", verify: { health_url: "${rx.url}/deploy/health", predict_url: "${rx.url}/deploy/predict", timeout: 10m } }`,
      ),
      { 'a.ndjson': examples('a') },
    );
    await cli(['ingest', 'a.ndjson'], { cwd: dir });
    const parked = await run(dir);
    expect(parked.out.runs[0].state).toBe('waiting');
    expect(parked.out.runs[0].outcome).toMatch(
      /waiting for urgency v1 on hf-space to become healthy: GET .*\/deploy\/health → 503/,
    );
    expect(rx.requests.filter((r) => r.path === '/api/spaces/acme/urgency-api/restart')).toHaveLength(1);
    rx.health = 200;
    const done = await cli(['run', '--wait', '1m', '--json'], { cwd: dir });
    expect(done.code, done.stdout).toBe(0);
    expect(JSON.parse(done.stdout).runs[0].state).toBe('succeeded');
    // The Space was restarted once, not once per check.
    expect(rx.requests.filter((r) => r.path === '/api/spaces/acme/urgency-api/restart')).toHaveLength(1);
  }, 120_000);

  it("refit's own serving: sanity rows go through the serving loader from the registered artifact", async () => {
    const dir = project(config('{ target: serve, verify: { sanity_requests: 8 } }'), { 'a.ndjson': examples('a') });
    await cli(['ingest', 'a.ndjson'], { cwd: dir });
    const r = await run(dir);
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    const app = await openApp({ cwd: dir, env: {} });
    try {
      const verify = await app.store.db
        .selectFrom('steps')
        .select('result')
        .where('run_id', '=', r.out.runs[0].runId)
        .where('step_id', '=', 'verify')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(verify.result!)).toMatchObject({
        passed: true,
        agreed: 8,
        sent: 8,
        reason: '8 of 8 sanity answers match the evaluated predictions (100%, need 100%)',
      });
    } finally {
      await closeApp(app);
    }
  }, 120_000);
});
