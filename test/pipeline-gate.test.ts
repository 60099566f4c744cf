/**
 * The gate inside a run: business rules over the holdout, per-slice metrics recorded with the
 * version, drift_share as a gate-able number, and a rejection that ends the run with its reasons,
 * registers nothing and raises the budget's backoff.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, project } from './helpers/project.js';

const events = () =>
  Array.from({ length: 80 }, (_, i) =>
    JSON.stringify({
      type: 'example',
      id: `e${i}`,
      model: 'urgency',
      input: { text: `${i % 2 ? 'server down outage now' : 'typo on page later'} ${i}`, lang: i % 3 ? 'en' : 'de' },
      label: i % 2 ? 'high' : 'low',
    }),
  ).join('\n');

const config = (rule: string) => `
models:
  urgency:
    labels: [low, high]
    slices: [lang]
    business_rules:
      - ${rule}
    gate:
      - { metric: accuracy, min: 0.5 }
      - { metric: drift_share, max: 1 }
`;

describe('gate in a run', () => {
  it('a violated business rule rejects the candidate with its numbers; nothing is registered', async () => {
    const dir = project(config('{ name: always-high, require: { prediction: high }, max_violation_rate: 0.1 }'), {
      'e.ndjson': events(),
    });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout).runs[0];
    expect(run.state).toBe('failed');
    expect(run.outcome).toMatch(
      /^candidate rejected: business rule "always-high" \(on every row, require prediction = "high"\): \d+ of \d+ rows violate it \(\d+\.\d\d%\), above the allowed 10\.00%$/,
    );
    expect(JSON.parse((await cli(['models', '--json'], { cwd: dir })).stdout)).toEqual([]);
    const st = JSON.parse((await cli(['status', '--json'], { cwd: dir })).stdout).models[0];
    expect(st.budget.rejections).toBe(1);
    expect(st.lastDecisions.map((d: { action: string }) => d.action)).toContain('reject');
    const md = readFileSync(join(dir, '.refit', 'artifacts', 'reports', 'urgency', run.runId, 'gate.md'), 'utf8');
    expect(md).toContain('| rule:always-high | ❌ fail |');
  });

  it('a respected rule blesses; slices and rule results are kept with the version', async () => {
    const dir = project(
      config('{ name: no-high-to-low, when: { truth: high }, forbid: { prediction: low }, max_violation_rate: 0.5 }'),
      { 'e.ndjson': events() },
    );
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const r = await cli(['run', '--force', 'urgency', '--json'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    const v = JSON.parse((await cli(['models', 'show', 'urgency', '1', '--json'], { cwd: dir })).stdout);
    expect(v.metrics.slices.map((s: { field: string; value: string }) => `${s.field}=${s.value}`)).toEqual([
      'lang=de',
      'lang=en',
    ]);
    expect(v.metrics.business_rules[0]).toMatchObject({ name: 'no-high-to-low', passed: true });
    expect(v.gate.checks.map((c: { name: string }) => c.name)).toEqual([
      'accuracy',
      'drift_share',
      'rule:no-high-to-low',
    ]);
  });
});
