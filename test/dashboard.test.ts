/**
 * The dashboard at `/` of `refit serve`, in Chromium (playwright-core): a token entered once and
 * kept for the session; the overview with each line's champion, budget, last decision and runs;
 * a run's page with its steps, gate and log; approval refused with a read token and done with an
 * admin one, the page following the run to its end; readable on a phone's width.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../src/app.js';
import type { AppContext } from '../src/app-context.js';
import { startService, type Service } from '../src/service/service.js';
import { cli, project, spamExamples } from './helpers/project.js';

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const CONFIG = `
serve:
  schedule: "0 0 1 1 *"
  tokens:
    - { token: "${ADMIN}", scopes: [admin], name: alice }
    - { token: "${READ}", scopes: [read] }
models:
  spam:
    labels: [ham, spam]
    deploy: { approval: required }
`;
const examples = spamExamples(60);

const haveChromium = existsSync('/usr/bin/chromium');
const require = createRequire(import.meta.url);
/** Where the suite leaves a screenshot of each page (README: "The dashboard"). */
const SHOTS = join(__dirname, '..', 'test-results', 'screenshots');
let dir: string;
let app: AppContext;
let svc: Service;
let browser: Browser;
let runId: string;

beforeAll(async () => {
  if (!haveChromium && !process.env.CI) return;
  dir = project(CONFIG, { 'e.ndjson': examples });
  await cli(['ingest', 'e.ndjson'], { cwd: dir });
  const r = await cli(['--json', 'run', '--force', 'spam', '--wait', '5m'], { cwd: dir });
  runId = JSON.parse(r.stdout).outcomes[0].runId;
  app = await openApp({ cwd: dir, env: {} });
  svc = await startService(app, { port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  if (app) await closeApp(app);
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(svc.url + '/');
  await page.getByText('Enter a refit token').waitFor();
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Use' }).click();
}

describe.skipIf(!haveChromium && !process.env.CI)('the dashboard', () => {
  it('shows the lines and runs, refuses approval without admin, approves with it and follows the run', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, READ);
    await page.getByRole('heading', { name: 'Model lines' }).waitFor();
    const card = page.getByRole('region', { name: 'spam' });
    await expect.poll(() => card.textContent()).toContain('none yet');
    expect(await card.textContent()).toMatch(/of 3 tokens/);
    expect(await card.textContent()).toContain('bless'); // the last decision, with its reason
    expect(await card.textContent()).toContain('no gate is configured');
    const link = page.getByRole('link', { name: runId }).first();
    await link.waitFor();
    expect(await page.locator('tr', { hasText: runId }).first().textContent()).toContain('awaiting_approval');

    // The run's page: steps, gate, and the approval a read token may not give.
    await link.click();
    await page.getByText('This run awaits approval').waitFor();
    const steps = await page.locator('table').first().textContent();
    for (const step of ['prepare', 'train', 'evaluate', 'gate', 'register', 'approve']) expect(steps).toContain(step);
    expect(await page.getByRole('heading', { name: /Gate: blessed/ }).count()).toBe(1);
    const report = page.frameLocator('iframe[title="Dataset validation report"]');
    await expect.poll(() => report.locator('h1').textContent()).toMatch(/^Dataset validation v\d+/);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/approve refused — 403.*needs an admin token/);

    // With the admin token (entered again: the session keeps one token) it is approved and finishes.
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByLabel('Token').fill(ADMIN);
    await page.getByRole('button', { name: 'Use' }).click();
    await page.getByLabel('Reason').fill('looked at the confusion matrix');
    await page.getByRole('button', { name: 'Approve' }).click();
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent(), { timeout: 30_000 }).toContain('succeeded');
    await page.goto(svc.url + '/#/');
    await expect.poll(() => page.getByRole('region', { name: 'spam' }).textContent()).toContain('v1');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('the line page: promote and rollback with an admin token, seen live in a second page, refused without', async () => {
    const v1 = JSON.parse((await cli(['models', 'show', 'spam', '1', '--json'], { cwd: dir })).stdout);
    const metrics = join(dir, 'v2-metrics.json');
    writeFileSync(metrics, JSON.stringify({ ...v1.metrics, accuracy: Math.max(0, v1.metrics.accuracy - 0.1) }));
    const reg = await cli(
      ['models', 'register', 'spam', '--artifact', v1.artifact.uri.replace(/^file:/, ''), '--metrics', metrics],
      {
        cwd: dir,
      },
    );
    expect(reg.code, reg.stderr).toBe(0);
    const errors: string[] = [];
    const watcher = await browser.newPage();
    const admin = await browser.newPage();
    for (const p of [watcher, admin]) p.on('pageerror', (e) => errors.push(e.message));
    const champion = (p: Page) => p.getByTestId('champion').textContent();
    await signIn(watcher, READ);
    await watcher.goto(`${svc.url}/#/lines/spam`);
    await expect.poll(() => champion(watcher)).toBe('v1');
    await watcher.getByRole('button', { name: 'Promote v2' }).click();
    await expect.poll(() => watcher.getByRole('status').textContent()).toMatch(/promote refused — 403.*admin token/);
    expect(await champion(watcher)).toBe('v1');

    await signIn(admin, ADMIN);
    await admin.goto(`${svc.url}/#/lines/spam`);
    await expect.poll(() => champion(admin)).toBe('v1');
    await admin.getByRole('button', { name: 'Promote v2' }).click();
    await expect.poll(() => champion(admin)).toBe('v2');
    await expect.poll(() => champion(watcher), { timeout: 10_000 }).toBe('v2'); // live, without a reload
    await admin.getByRole('button', { name: 'Roll back the champion' }).click();
    await expect.poll(() => champion(watcher), { timeout: 10_000 }).toBe('v1');
    const history = watcher.locator('table', { hasText: 'alias' }).last();
    await expect.poll(() => history.textContent()).toMatch(/championv2 → v1rollbackhttp:alice/);
    expect(await history.textContent()).toMatch(/championv1 → v2promotehttp:alice/);

    // Metrics across versions (uPlot) and the side-by-side table.
    expect(await watcher.locator('.chart .uplot').count()).toBeGreaterThanOrEqual(1);
    const side = await watcher.locator('table', { hasText: 'Δ (B − A)' }).textContent();
    expect(side).toMatch(/accuracy/);
    await mkdir(SHOTS, { recursive: true });
    await watcher.screenshot({ path: join(SHOTS, 'line.png'), fullPage: true });
    expect(errors).toEqual([]);
    await watcher.close();
    await admin.close();
  }, 90_000);

  /** Text each page must show (so a screenshot is of the page, not of an error or a spinner). */
  const SHOWN = {
    overview: /Model lines[\s\S]*spam/,
    line: /spam[\s\S]*champion[\s\S]*v1/i,
    run: /run_\w+[\s\S]*(succeeded|failed)/,
  };

  it('every page passes axe-core (WCAG 2 A and AA: no serious or critical finding); screenshots of each', async () => {
    const page = await browser.newPage();
    await signIn(page, READ);
    const pages = { overview: '/#/', line: '/#/lines/spam', run: `/#/runs/${runId}` };
    await mkdir(SHOTS, { recursive: true });
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(svc.url + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      const found = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(o: object): Promise<{ violations: any[] }> } }).axe;
        const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
      const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious, `${name}: ${JSON.stringify(found)}`).toEqual([]);
      // What the screenshot shows: the page's own content, and charts with something drawn in them.
      await expect.poll(() => page.locator('main').innerText()).toMatch(SHOWN[name as keyof typeof SHOWN]);
      // Every chart the page announces (role=img) has a canvas with something drawn on it.
      const inked = await page.evaluate(() =>
        [...document.querySelectorAll('.chart[role="img"]')].map((chart) => {
          const c = chart.querySelector('canvas');
          if (!c) return { chart: chart.getAttribute('aria-label'), ink: 0 };
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          let ink = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
          return { chart: chart.getAttribute('aria-label'), ink };
        }),
      );
      if (name === 'line') expect(inked.length, 'the line page draws its charts').toBeGreaterThanOrEqual(1);
      for (const c of inked) expect(c.ink, `${name}: nothing drawn in "${c.chart}"`).toBeGreaterThan(500);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      const size = (await stat(join(SHOTS, `${name}.png`))).size;
      expect(size).toBeGreaterThan(10_000);
    }
    await page.close();
  }, 90_000);

  it('fits a phone-width screen and labels every control', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(page, READ);
    await page.getByRole('heading', { name: 'Model lines' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const path of [`/#/lines/spam`, `/#/runs/${runId}`]) {
      await page.goto(svc.url + path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(wide, path).toBeLessThanOrEqual(0);
    }
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('input, button')].filter(
          (e) =>
            !(e as HTMLElement).innerText && !e.closest('label') && !document.querySelector(`label[for="${e.id}"]`),
        ).length,
    );
    expect(unlabelled).toBe(0);
    await page.close();
  }, 60_000);

  it('serves its assets, and a wrong token is said so on the page', async () => {
    expect((await fetch(`${svc.url}/dashboard/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${svc.url}/dashboard/nope.js`)).status).toBe(404);
    const page = await browser.newPage();
    await signIn(page, 'not-a-real-token-0123456789');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('401');
    await page.close();
  }, 60_000);
});
