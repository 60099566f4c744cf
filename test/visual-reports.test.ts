/**
 * Visual reports: `refit drift --html` and `refit validate --html` write one self-contained page
 * (no script, no external asset) with the dataset verdict, each column's test, statistic,
 * threshold and verdict, and an inline SVG of reference vs current over the same bins; the pages
 * render in Chromium with every chart drawn; a run's validation page is served over HTTP with a
 * no-script policy.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { distribution } from '../src/report/distribution.js';
import { cli, ndjson, project } from './helpers/project.js';

/** Deterministic pseudo-random numbers (a 32-bit LCG) so the drift verdicts are stable. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function table(n: number, shift: number, seed: number) {
  const r = rng(seed);
  const plans = ['free', 'pro', 'team'];
  return Array.from({ length: n }, () => ({
    age: Math.round(30 + shift + r() * 20),
    plan: plans[Math.floor(r() * (shift ? 1.4 : 3))],
    note: r() < 0.5 ? 'login fails on mobile' : 'invoice totals look wrong',
  }));
}

const csv = (rows: Record<string, unknown>[]) =>
  [Object.keys(rows[0]!).join(','), ...rows.map((r) => Object.values(r).join(','))].join('\n') + '\n';

const haveChromium = existsSync('/usr/bin/chromium') || !!process.env.CI;

describe('visual reports', () => {
  it('distribution shares add up to 1 per side over the same bins', () => {
    const r = rng(7);
    const ref = Array.from({ length: 300 }, () => r() * 10);
    const cur = Array.from({ length: 200 }, () => 5 + r() * 10);
    const d = distribution('numeric', ref, cur)!;
    expect(d.bins.length).toBe(d.reference.length);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(d.reference)).toBeCloseTo(1, 10);
    expect(sum(d.current)).toBeCloseTo(1, 10);
    const cats = distribution('categorical', 'abcdefghijklmnopqrstuvwxyz'.split(''), ['a', 'a', 'b'])!;
    expect(cats.bins).toHaveLength(16);
    expect(cats.bins.at(-1)).toBe('(other)');
    expect(sum(cats.reference)).toBeCloseTo(1, 10);
    expect(sum(cats.current)).toBeCloseTo(1, 10);
  });

  it('refit drift --html writes the verdict, each test and an SVG per column; it renders in Chromium', async () => {
    const dir = project('models:\n  m: {}\n', {
      'ref.csv': csv(table(400, 0, 1)),
      'cur.csv': csv(table(300, 12, 2)),
    });
    const r = await cli(['drift', '--reference', 'ref.csv', '--current', 'cur.csv', '--html', 'out/drift.html'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'out', 'drift.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link |src="http/);
    expect(html).toMatch(/Dataset drift detected<\/span>: 2 of 3 columns drifted \(share 0\.67\) ≥ 0\.5/);
    expect(html).toMatch(/Kolmogorov–Smirnov \(p-value\) — <span class="drift">p [\d.e-]+ &lt; 0\.05: drift/);
    expect(html).toMatch(/chi-square \(p-value\) — <span class="drift">p [\d.e-]+ &lt; 0\.05: drift/);
    expect(html).toMatch(/Jensen–Shannon distance of words — <span class="ok">[\d.]+ &lt; 0\.1: no drift/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    if (!haveChromium) return;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(join(dir, 'out', 'drift.html')).href);
      const charts = await page.$$eval('svg', (svgs) =>
        svgs.map((s) => {
          const bars = [...s.querySelectorAll('rect.bar')];
          const drawn = bars.filter((b) => b.getBoundingClientRect().height > 0).length;
          return { bars: bars.length, drawn, width: s.getBoundingClientRect().width };
        }),
      );
      expect(charts).toHaveLength(3);
      for (const c of charts) {
        expect(c.bars).toBeGreaterThan(2);
        expect(c.drawn).toBeGreaterThan(1);
        expect(c.width).toBeGreaterThan(200);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('refit validate --html: every check, and the drift against the reference with its charts', async () => {
    const version = (rows: Record<string, unknown>[]) =>
      ndjson(rows.map((input, i) => ({ id: `r${i}`, input, label: i % 2 ? 'spam' : 'ham' })));
    const dir = project('models:\n  m: {}\n');
    for (const [name, shift, seed] of [
      ['old', 0, 3],
      ['new', 12, 4],
    ] as const) {
      mkdirSync(join(dir, name));
      for (const split of ['train', 'eval', 'test'])
        writeFileSync(join(dir, name, `${split}.jsonl`), version(table(120, shift, seed)));
    }
    const r = await cli(['validate', 'new', '--reference', 'old', '--html', 'v.html', '--out', 'o'], { cwd: dir });
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    const html = readFileSync(join(dir, 'v.html'), 'utf8');
    expect(html).toMatch(/<title>Dataset validation /);
    expect(html).toMatch(/<td>labels<\/td>|<td>schema<\/td>/);
    expect(html).toMatch(/Drift of the train split against the previous version/);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(dir, 'o', 'validation.html'), 'utf8')).toBe(html);
  });

  it('a path that cannot be written is a usage error, not a stack trace', async () => {
    const dir = project('models:\n  m: {}\n', { 'a.csv': csv(table(50, 0, 5)), f: 'x' });
    const r = await cli(['drift', '--reference', 'a.csv', '--current', 'a.csv', '--html', 'f/x.html'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report to .*f\/x\.html.*choose a writable path/);
  });
});
