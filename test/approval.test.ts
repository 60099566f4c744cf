/**
 * `deploy.approval: required`: a blessed candidate is registered but waits in `awaiting_approval`
 * (notified, champion unchanged) until a person approves — then it is promoted and verified — or
 * rejects it, and it is never promoted. A verdict is given once. The same over HTTP (admin scope,
 * the token's name recorded as the actor), on SQLite and PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import { startService } from '../src/service/service.js';
import { cli, project, spamExamples } from './helpers/project.js';
import { DIALECTS, freshStoreUrl, type TestStoreUrl } from './helpers/stores.js';

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const CONFIG = `
serve:
  schedule: "0 0 1 1 *"
  tokens:
    - { token: "${ADMIN}", scopes: [admin], name: alice }
    - { token: "${READ}", scopes: [read] }
notify:
  - { kind: webhook, url: "http://127.0.0.1:9/hook", events: [awaiting_approval] }
models:
  spam:
    labels: [ham, spam]
    deploy: { approval: required }
`;
const examples = spamExamples(60);

const cleanups: TestStoreUrl[] = [];
afterAll(async () => {
  for (const c of cleanups) await c.cleanup();
});

for (const dialect of DIALECTS) {
  describe(`approval on ${dialect}`, () => {
    async function setup() {
      const store = await freshStoreUrl(dialect);
      cleanups.push(store);
      const dir = project(CONFIG, { 'e.ndjson': examples });
      const run = (args: string[]) => cli(['--store', store.url, ...args], { cwd: dir });
      expect((await run(['ingest', 'e.ndjson'])).code).toBe(0);
      return { dir, store, run };
    }
    const runsOf = async (run: (a: string[]) => ReturnType<typeof cli>) =>
      JSON.parse((await run(['--json', 'runs'])).stdout) as { id: string; state: string; outcome: string }[];
    /** The version holding the champion alias, or null. */
    const champion = async (run: (a: string[]) => ReturnType<typeof cli>) => {
      const versions = JSON.parse((await run(['--json', 'models', 'spam'])).stdout) as {
        version: number;
        aliases: string[];
      }[];
      return versions.find((v) => v.aliases.includes('champion'))?.version ?? null;
    };

    it('waits for a person, then promotes on approve; a second verdict is refused', async () => {
      const { run } = await setup();
      const first = await run(['run', '--force', 'spam', '--wait', '5m']);
      expect(first.code, first.stderr).toBe(0);
      const [waiting] = await runsOf(run);
      expect(waiting).toMatchObject({ state: 'awaiting_approval' });
      expect(first.stdout).toContain("wait for a person's approval");
      expect(first.stdout).toMatch(/awaiting_approval: spam v1 is blessed .* and awaits approval before promotion/);
      expect(await champion(run)).toBeNull();

      const ok = await run(['approve', waiting!.id, '--reason', 'checked the confusion matrix']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`run ${waiting!.id} approved by cli:[^:]+: checked the confusion matrix`));
      expect(ok.stdout).toContain(`run ${waiting!.id}: succeeded`);
      const [done] = await runsOf(run);
      expect(done!.state).toBe('succeeded');
      expect(await champion(run)).toBe(1);

      const again = await run(['reject', waiting!.id, '--reason', 'too late']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(waiting!.id);
      const report = await run(['report', waiting!.id]);
      expect(report.stdout).toMatch(/approved by cli:/);
    }, 120_000);

    it('reject keeps the version registered and never promotes it; a reason is required', async () => {
      const { run } = await setup();
      await run(['run', '--force', 'spam', '--wait', '5m']);
      const [waiting] = await runsOf(run);
      expect(waiting!.state).toBe('awaiting_approval');
      const noReason = await run(['reject', waiting!.id]);
      expect(noReason.code).not.toBe(0);
      expect(noReason.stderr).toContain('--reason');
      const no = await run(['reject', waiting!.id, '--reason', 'not on a Friday']);
      expect(no.code).toBe(1);
      expect(no.stdout + no.stderr).toContain('not on a Friday');
      const [ended] = await runsOf(run);
      expect(ended!.state).toBe('failed');
      expect(ended!.outcome).toContain('not on a Friday');
      expect(await champion(run)).toBeNull();
      const versions = JSON.parse((await run(['--json', 'models', 'spam'])).stdout);
      expect(versions.map((v: { version: number }) => v.version)).toEqual([1]);
    }, 120_000);

    it('over HTTP: admin approves (202, actor = token name), read is refused (403), unknown run 404', async () => {
      const { dir, store, run } = await setup();
      await run(['run', '--force', 'spam', '--wait', '5m']);
      const [waiting] = await runsOf(run);
      const app = await openApp({ cwd: dir, env: { REFIT_STORE: store.url } });
      const svc = await startService(app, { port: 0 });
      try {
        const post = (path: string, token: string) =>
          fetch(svc.url + path, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ reason: 'ship it' }),
          });
        expect((await post(`/v1/runs/${waiting!.id}/approve`, READ)).status).toBe(403);
        expect((await post('/v1/runs/run_nope/approve', ADMIN)).status).toBe(404);
        const res = await post(`/v1/runs/${waiting!.id}/approve`, ADMIN);
        expect(res.status).toBe(202);
        expect(await res.json()).toMatchObject({ run: waiting!.id, verdict: 'approved', actor: 'http:alice' });
        const deadline = Date.now() + 30_000;
        let state = '';
        while (Date.now() < deadline && state !== 'succeeded') {
          const r = await fetch(`${svc.url}/v1/runs/${waiting!.id}`, { headers: { authorization: `Bearer ${READ}` } });
          state = ((await r.json()) as { state: string }).state;
          if (state !== 'succeeded') await new Promise((f) => setTimeout(f, 100));
        }
        expect(state).toBe('succeeded');
        expect((await post(`/v1/runs/${waiting!.id}/reject`, ADMIN)).status).toBe(409);
      } finally {
        await svc.stop();
        await closeApp(app);
      }
    }, 120_000);
  });
}
