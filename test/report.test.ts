/**
 * `refit report`: a run's story on one page, for a promoted run and a rejected one, as GitHub
 * Markdown (its Mermaid chart rendered by mermaid itself in Chromium), self-contained HTML and
 * JSON; without a run id, the latest run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ndjson } from './helpers/project.js';
import { Receivers } from './helpers/receivers.js';
import { tempDir } from './helpers/stores.js';

const DAY = 86_400_000;
const require = createRequire(import.meta.url);

/** Ten days of spam traffic with reviewer feedback, accuracy falling from 90% to 50%. */
function traffic(nowMs: number): object[] {
  const rows: object[] = [];
  for (let d = 0; d < 10; d++) {
    const dayMs = nowMs - (10 - d) * DAY;
    for (let i = 0; i < 20; i++) {
      const id = `p-${d}-${i}`;
      const label = i % 2 ? 'spam' : 'ham';
      const wrong = i < 2 + d * 0.8 * 2.5;
      const text = label === 'spam' ? `WIN a free prize now ${d} ${i}` : `meeting notes for project ${d} ${i}`;
      const ts = new Date(dayMs + i * 60_000).toISOString();
      const prediction = wrong ? (label === 'spam' ? 'ham' : 'spam') : label;
      rows.push({ type: 'prediction', id, model: 'spam', version: '1', input: { text }, prediction, ts });
      rows.push({ type: 'feedback', prediction_id: id, model: 'spam', label, reviewer_confidence: 0.9, ts });
    }
  }
  return rows;
}

let dir: string;
let promoted: string;
let rejected: string;
let rolledBack: string;
let target: Receivers;
let browser: Browser | null = null;

beforeAll(async () => {
  dir = tempDir('refit-report-');
  await cli(['init'], { cwd: dir });
  writeFileSync(join(dir, 'traffic.ndjson'), ndjson(traffic(Date.now())));
  const ingest = await cli(['ingest', 'events/sample.ndjson', 'traffic.ndjson'], { cwd: dir });
  expect(ingest.code, ingest.stderr).toBe(0);
  const first = await cli(['--json', 'run', '--force', 'spam', '--wait', '5m'], { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  promoted = (await latest()).id;
  // An impossible value threshold: the next candidate is rejected.
  const yaml = readFileSync(join(dir, 'refit.yaml'), 'utf8').replace(
    '{ metric: f1_macro, min: 0.8 }',
    '{ metric: f1_macro, min: 1.01 }',
  );
  writeFileSync(join(dir, 'refit.yaml'), yaml);
  const second = await cli(['run', '--force', 'spam', '--wait', '5m'], { cwd: dir });
  expect(second.code).toBe(1);
  rejected = (await latest()).id;
  expect(rejected).not.toBe(promoted);
  // The gate back as it was, and a deploy target whose health check fails: v2 is promoted, then
  // verification fails and refit rolls back to v1.
  target = await new Receivers().start();
  target.health = 503;
  const deploy = [
    '    deploy:',
    '      target: webhook',
    `      url: ${target.url}/hook`,
    `      verify: { health_url: "${target.url}/deploy/health", timeout: 1s }`,
  ].join('\n');
  const withDeploy = yaml
    .replace('{ metric: f1_macro, min: 1.01 }', '{ metric: f1_macro, min: 0.8 }')
    .replace('  spam:\n', `  spam:\n${deploy}\n`);
  writeFileSync(join(dir, 'refit.yaml'), withDeploy);
  const third = await cli(['run', '--force', 'spam', '--wait', '5m'], { cwd: dir });
  expect(third.code, third.stdout).toBe(1);
  rolledBack = (await latest()).id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await target?.stop();
});

async function latest(): Promise<{ id: string; state: string }> {
  const r = await cli(['--json', 'runs', '--model', 'spam'], { cwd: dir });
  const runs = JSON.parse(r.stdout) as { id: string; state: string }[];
  return runs[0]!;
}

async function report(args: string[]): Promise<string> {
  const r = await cli(['report', ...args], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('refit report', () => {
  it('tells a promoted run: decision, dataset and validation, training, candidate, gate, deploy, chart', async () => {
    const md = await report([promoted]);
    expect(md).toContain(`run ${promoted}: succeeded`);
    for (const section of ['### Decision', '### Dataset', '### Training', '### Gate: blessed', '### Online accuracy']) {
      expect(md).toContain(section);
    }
    expect(md).toContain('forced by a manual trigger');
    expect(md).toMatch(/Validation passed: \d+ checks, 0 failed/);
    expect(md).toMatch(/Job `train_\w+` on the \*\*builtin\*\* executor/);
    expect(md).toContain('Confusion matrix');
    expect(md).toContain('### Registry and deployment');
    expect(md).toContain('- promoted v1 to champion');
    expect(md).toMatch(/- verification passed: 5 of 5 sanity answers match/);
    expect(md).toContain('```mermaid\nxychart-beta');
  });

  it('tells a rejected run with every gate check, the failing one with its reason', async () => {
    const md = await report([rejected]);
    expect(md).toContain('### Gate: rejected');
    expect(md).toMatch(/\| f1_macro \| ❌ fail \| [\d.]+ \| [\d.]+ \| f1_macro [\d.]+ is below the minimum 1.01 \|/);
    expect(md).toMatch(/\| recall\[spam\] \| ✅ pass \|/);
    expect(md).toContain('champion v1');
    expect(md).not.toContain('promoted v2');
  });

  it('tells a rolled-back run: promoted, verification failed with its reason, champion back', async () => {
    const md = await report([rolledBack]);
    expect(md).toContain(`run ${rolledBack}: failed`);
    expect(md).toContain('### Gate: blessed');
    expect(md).toContain('- promoted v2 to champion');
    expect(md).toMatch(/- verification failed: .*503/);
    expect(md).toMatch(/- rolled back to v1/);
    expect(md).toMatch(/\*\*rollback\*\*/);
  });

  it('without a run id reports the latest run; --format json is the same story as data', async () => {
    expect(await report([])).toContain(`run ${rolledBack}:`);
    const story = JSON.parse(await report([promoted, '--format', 'json']));
    expect(story.run).toMatchObject({ id: promoted, model: 'spam', state: 'succeeded' });
    expect(story.gate.blessed).toBe(true);
    expect(story.timeline.points.length).toBeGreaterThanOrEqual(10);
    const rejectedStory = JSON.parse(await report([rejected, '--format', 'json']));
    expect(rejectedStory.gate.blessed).toBe(false);
    expect(rejectedStory.evaluation.champion).toBeTruthy();
  });

  it('--format html is one self-contained page with the chart as inline SVG', async () => {
    const out = await cli(['report', promoted, '--format', 'html', '-o', 'report.html'], { cwd: dir });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`wrote the report of ${promoted} to ${join(dir, 'report.html')}`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]+\.(js|css)/);
  });

  it('an unknown run is a clear error', async () => {
    const r = await cli(['report', 'run_nope'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('run_nope');
  });

  it.skipIf(!existsSync('/usr/bin/chromium') && !process.env.CI)(
    "the Markdown's Mermaid chart renders in a browser",
    async () => {
      const md = await report([promoted]);
      const block = /```mermaid\n([\s\S]*?)```/.exec(md)?.[1] ?? '';
      expect(block).toContain('x-axis');
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
      const svg = await page.evaluate(async (text) => {
        const m = (
          globalThis as unknown as {
            mermaid: { initialize(o: object): void; render(id: string, t: string): Promise<{ svg: string }> };
          }
        ).mermaid;
        m.initialize({ startOnLoad: false });
        return (await m.render('chart', text)).svg;
      }, block);
      expect(svg).toContain('<svg');
      expect(svg).toMatch(/<path|<rect/);
    },
    60_000,
  );
});
