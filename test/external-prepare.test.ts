/**
 * External dataset preparation against a local server shaped like the Hugging Face Hub and the
 * GitHub REST API: trigger once, poll across ticks (no process held), version and size rules,
 * 401 / 404 / 429 / 5xx / slow answers, timeout, resume from the store in a new process.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { ManualClock } from '../src/core/ports/clock.js';
import { advancePreparation } from '../src/datasets/external/prepare.js';
import { FakeHub, meta } from './helpers/fake-hub.js';
import { cli, project } from './helpers/project.js';
import { DIALECTS, tempDir } from './helpers/stores.js';
import { storeFixture } from './helpers/fixture.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const S = 1000;

const hfConfig = (extra = '') => `
secrets: [HF_TOKEN]
models:
  spam:
    prepare:
      kind: hf-space
      space: owner/prepare-space
      factory: true
      token: \${HF_TOKEN}
      metadata: { dataset: owner/spam-prepared }
      poll: { interval: 30s, timeout: 10m, max_backoff: 5m, request_timeout: 300ms }
${extra}`;

describe.each(DIALECTS)('external preparation (Hugging Face Space, %s)', (dialect) => {
  let hub: FakeHub;
  const stores = storeFixture(dialect);
  beforeEach(async () => {
    hub = await new FakeHub().start();
  });
  afterEach(async () => {
    await hub.stop();
  });
  /** One store per project directory, so a second app on the same directory resumes. */
  const app = (dir: string, clock: ManualClock, token = hub.token) =>
    stores.open(dir, { clock, env: { HF_ENDPOINT: hub.url, HF_TOKEN: token } });

  it('records the current version, restarts the Space once, and polls until a new, large enough version', async () => {
    const dir = project(hfConfig());
    const clock = new ManualClock(T0);
    const a = await app(dir, clock);
    hub.metadata = meta('v20261101_000000', 500);
    hub.onTrigger = () => (hub.metadata = meta('v20261101_000000', 500)); // the Space is still building

    let p = await advancePreparation(a, 'spam', 'run_1', 100);
    expect(p.state).toBe('waiting');
    expect(p.lastSeenTag).toBe('v20261101_000000');
    expect(hub.count('POST', '/api/spaces/owner/prepare-space/restart?factory=true')).toBe(1);
    const restart = hub.requests.find((r) => r.method === 'POST')!;
    expect(restart.headers.authorization).toBe(`Bearer ${hub.token}`);
    expect(p.status).toContain('factory rebuild of Space owner/prepare-space triggered');
    expect(p.status).not.toContain(hub.token);

    // Before the next check time nothing is asked.
    const gets = hub.count('GET', '/datasets/');
    clock.advance(10 * S);
    p = await advancePreparation(a, 'spam', 'run_1', 100);
    expect(hub.count('GET', '/datasets/')).toBe(gets);

    clock.advance(20 * S);
    p = await advancePreparation(a, 'spam', 'run_1', 100);
    expect(p).toMatchObject({ state: 'waiting', checks: 1 });
    expect(p.status).toContain('still version v20261101_000000');

    hub.metadata = meta('v20261122_101500', 80);
    clock.advance(30 * S);
    p = await advancePreparation(a, 'spam', 'run_1', 100);
    expect(p.status).toBe(
      'current_len=80 required_len=100 version=v20261122_101500: version v20261122_101500 has 80 samples, fewer than 100',
    );

    hub.metadata = meta('v20261122_102000', 120);
    clock.advance(30 * S);
    p = await advancePreparation(a, 'spam', 'run_1', 100);
    expect(p).toMatchObject({ state: 'succeeded', checks: 3 });
    expect(p.metadata).toMatchObject({ version_tag: 'v20261122_102000', num_samples: 120 });
    expect(hub.count('POST', '/api/spaces/')).toBe(1);
    // A finished preparation does nothing more.
    clock.advance(60 * S);
    await advancePreparation(a, 'spam', 'run_1', 100);
    expect(hub.count('GET', '/datasets/')).toBe(gets + 3);
  });

  it('a new process resumes a half-finished poll from the store without triggering again', async () => {
    const dir = project(hfConfig());
    const clock = new ManualClock(T0);
    const first = await app(dir, clock);
    hub.metadata = null; // nothing published yet (404)
    const p1 = await advancePreparation(first, 'spam', 'run_2', 10);
    expect(p1).toMatchObject({ state: 'waiting', lastSeenTag: null });
    await stores.close(first);

    hub.metadata = meta('v20261122_110000', 50);
    clock.advance(31 * S);
    const second = await app(dir, clock);
    const p2 = await advancePreparation(second, 'spam', 'run_2', 10);
    expect(p2).toMatchObject({ state: 'succeeded', triggeredMs: T0 });
    expect(hub.count('POST', '/api/spaces/')).toBe(1);
  });

  it('404 while the file does not exist yet is waited for and said', async () => {
    const dir = project(hfConfig());
    const clock = new ManualClock(T0);
    const a = await app(dir, clock);
    await advancePreparation(a, 'spam', 'k', 10);
    clock.advance(30 * S);
    const p = await advancePreparation(a, 'spam', 'k', 10);
    expect(p.state).toBe('waiting');
    expect(p.status).toMatch(
      /dataset_metadata\.json not found \(404\) at http:\/\/127\.0\.0\.1:\d+\/datasets\/owner\/spam-prepared\/resolve\/main\/dataset_metadata\.json/,
    );
  });

  it('a refused token fails with what to fix and never shows the token', async () => {
    const dir = project(hfConfig());
    const a = await app(dir, new ManualClock(T0), 'hf_wrong_token_987654');
    const p = await advancePreparation(a, 'spam', 'k', 10);
    expect(p.state).toBe('failed');
    expect(p.status).toContain('→ 401: the token was refused');
    expect(p.status).toContain('check that the token (prepare.token) can read');
    expect(p.status).not.toContain('hf_wrong_token_987654');
    expect(hub.count('POST', '/api/spaces/')).toBe(0);
  });

  it('429 honours Retry-After, 5xx backs off exponentially, a slow answer is retried', async () => {
    const dir = project(hfConfig());
    const clock = new ManualClock(T0);
    const a = await app(dir, clock);
    hub.metadata = meta('v1', 10);
    await advancePreparation(a, 'spam', 'k', 100); // baseline + trigger
    hub.faults.push({ status: 429, retryAfter: '120' });
    clock.advance(30 * S);
    let p = await advancePreparation(a, 'spam', 'k', 100);
    expect(p.nextCheckMs - clock.now()).toBe(120 * S);
    expect(p.status).toContain('retrying in 2m (Retry-After)');
    hub.faults.push({ status: 503 });
    clock.advance(120 * S);
    p = await advancePreparation(a, 'spam', 'k', 100);
    expect(p.nextCheckMs - clock.now()).toBe(60 * S); // 30s × 2^(2−1): second error in a row
    hub.faults.push({ delayMs: 1500 });
    clock.advance(60 * S);
    p = await advancePreparation(a, 'spam', 'k', 100);
    expect(p.status).toContain('no answer within 300 ms');
    expect(p.nextCheckMs - clock.now()).toBe(120 * S);
    clock.advance(120 * S);
    p = await advancePreparation(a, 'spam', 'k', 100);
    expect(p).toMatchObject({ state: 'waiting' });
    expect(p.status).toContain('still version v1');
  });

  it('gives up at the timeout with the last observation', async () => {
    const dir = project(hfConfig());
    const clock = new ManualClock(T0);
    const a = await app(dir, clock);
    hub.metadata = meta('v1', 10);
    await advancePreparation(a, 'spam', 'k', 100);
    clock.advance(10 * 60 * S);
    const p = await advancePreparation(a, 'spam', 'k', 100);
    expect(p.state).toBe('failed');
    expect(p.status).toMatch(
      /^timed out after 10m waiting for a dataset version with num_samples >= 100 other than v1; last: /,
    );
  });
});

describe('other preparers', () => {
  let hub: FakeHub;
  beforeEach(async () => {
    hub = await new FakeHub().start();
  });
  afterEach(async () => hub.stop());

  it('GitHub workflow dispatch with ref and inputs; a signed webhook; a local command', async () => {
    const out = tempDir();
    const yaml = `
models:
  gh:
    prepare:
      kind: github-workflow
      repo: owner/repo
      workflow: prepare.yml
      ref: main
      inputs: { label: urgency }
      token: \${GH_TOKEN}
      metadata: { url: "${'${HUB}'}/datasets/owner/ds/resolve/main/dataset_metadata.json" }
  hook:
    prepare:
      kind: webhook
      url: "${'${HUB}'}/webhook"
      secret: \${HOOK_SECRET}
      metadata: { url: "${'${HUB}'}/datasets/owner/ds/resolve/main/dataset_metadata.json" }
      token: \${GH_TOKEN}
  cmd:
    prepare:
      kind: command
      command: ["/bin/sh", "-c", "echo $REFIT_MODEL $REFIT_REQUIRED > ${out}/ran.txt"]
      metadata: { url: "${'${HUB}'}/datasets/owner/ds/resolve/main/dataset_metadata.json" }
      token: \${GH_TOKEN}
`;
    const dir = project(yaml);
    const env = { GITHUB_API_URL: hub.url, GH_TOKEN: hub.token, HUB: hub.url, HOOK_SECRET: 'whsec_abcdef123456' };
    const a = await openApp({ cwd: dir, env, clock: new ManualClock(T0) });
    try {
      expect((await advancePreparation(a, 'gh', 'g1', 5)).state).toBe('waiting');
      const dispatch = hub.requests.find(
        (r) => r.path === '/repos/owner/repo/actions/workflows/prepare.yml/dispatches',
      )!;
      expect(JSON.parse(dispatch.body)).toEqual({
        ref: 'main',
        inputs: { label: 'urgency', refit_model: 'gh', refit_required: '5', refit_key: 'g1' },
      });
      expect(dispatch.headers.accept).toBe('application/vnd.github+json');

      expect((await advancePreparation(a, 'hook', 'h1', 7)).state).toBe('waiting');
      const hook = hub.requests.find((r) => r.path === '/webhook')!;
      const expected = createHmac('sha256', 'whsec_abcdef123456').update(hook.body).digest('hex');
      expect(hook.headers['x-refit-signature']).toBe(`sha256=${expected}`);
      expect(JSON.parse(hook.body)).toMatchObject({ event: 'prepare_dataset', model: 'hook', required: 7, key: 'h1' });

      expect((await advancePreparation(a, 'cmd', 'c1', 9)).state).toBe('waiting');
      expect(readFileSync(join(out, 'ran.txt'), 'utf8').trim()).toBe('cmd 9');
    } finally {
      await closeApp(a);
    }
  });

  it('refit datasets build --wait polls to the end and records the external version', async () => {
    const dir = project(hfConfig().replace('interval: 30s', 'interval: 50ms'));
    hub.metadata = meta('v1', 3);
    // The preparer publishes a new version once refit has polled a few times.
    const env = { HF_ENDPOINT: hub.url, HF_TOKEN: hub.token };
    const interval = setInterval(() => {
      if (hub.count('GET', '/datasets/') >= 3) hub.metadata = meta('v20261122_120000', 40);
    }, 20);
    try {
      const r = await cli(['datasets', 'build', 'spam', '--wait', '--json'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ state: 'succeeded', metadata: { version_tag: 'v20261122_120000' } });
      const list = JSON.parse((await cli(['datasets', '--json'], { cwd: dir, env })).stdout);
      expect(list[0]).toMatchObject({ model: 'spam', tag: 'v20261122_120000', numSamples: 40 });
      expect(existsSync(join(dir, '.refit'))).toBe(true);
    } finally {
      clearInterval(interval);
    }
  });
});
