/**
 * `refit demo --quick`: production replayed on real data (one simulated year, a third of the
 * mail) through the prediction endpoint, with the deliberate faults: the loop retrains, rejects
 * the bad trainer configuration at the gate, rolls back the deployment whose host is down, and
 * writes a self-contained HTML report; `--json` puts one document on stdout and progress on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refit } from './helpers/spawn.js';
import { tempDir } from './helpers/stores.js';

describe('refit demo', () => {
  it('replays production, rejects the bad candidate, rolls back the bad deployment, and reports', async () => {
    const dir = tempDir();
    const r = await refit(['demo', 'replay', '--quick', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      lines: Record<
        string,
        { retrains: number; promotions: number; rejections: number; rollbacks: number; accuracy: unknown[] }
      >;
      report: string;
    };
    expect(Object.keys(out.lines).sort()).toEqual(['spam', 'weather']);
    const { spam, weather } = out.lines as Record<'spam' | 'weather', (typeof out.lines)[string]>;
    expect(spam!.rejections).toBeGreaterThanOrEqual(1);
    expect(weather!.rollbacks).toBeGreaterThanOrEqual(1);
    expect(spam!.retrains + weather!.retrains).toBeGreaterThanOrEqual(3);
    expect(weather!.accuracy.length).toBeGreaterThan(40);
    // What happened is said on stderr as it happens (stdout holds only the JSON).
    expect(r.stderr).toContain('injecting a bad trainer configuration into spam');
    expect(r.stderr).toMatch(/weather: failed — weather v\d+ failed verification .* rolled back to v\d+/);
    expect(r.stderr).toMatch(/spam: failed — candidate rejected: f1_macro/);
    expect(out.report).toBe(join(dir, 'replay', 'refit-demo-report.html'));
    const html = readFileSync(out.report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(existsSync(join(dir, 'replay', 'refit-demo-accuracy.svg'))).toBe(true);
    // A second demo in the same folder needs --fresh.
    const again = await refit(['demo', 'replay', '--quick'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--fresh');
  }, 240_000);
});
