/** `refit evaluate`: metrics from a predictions file, and a model line's gate against a champion. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ndjson, project } from './helpers/project.js';

const CONFIG = `
models:
  spam:
    labels: [ham, spam]
    gate:
      - { metric: f1_macro, min: 0.6 }
      - { metric: f1_macro, min_change: 0 }
      - { metric: recall, class: spam, min: 0.5 }
      - { metric: log_loss, max: 1.5 }
  price:
    task: tabular-regression
    gate:
      - { metric: mae, max: 2 }
`;

const rows = (wrong: number) =>
  Array.from({ length: 20 }, (_, i) => {
    const label = i % 2 ? 'spam' : 'ham';
    const ok = i >= wrong;
    const p = ok ? 0.8 : 0.3;
    return { label, prediction: ok ? label : label === 'spam' ? 'ham' : 'spam', proba: label === 'spam' ? p : 1 - p };
  });

describe('refit evaluate', () => {
  it('computes classification metrics with probabilities', async () => {
    const dir = project(CONFIG, { 'cand.ndjson': ndjson(rows(2)) });
    const r = await cli(['evaluate', '--predictions', 'cand.ndjson', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const { metrics, gate } = JSON.parse(r.stdout);
    expect(metrics).toMatchObject({ task: 'classification', n: 20, accuracy: 0.9, labels: ['ham', 'spam'] });
    expect(metrics.roc_auc).toBeGreaterThan(0.8);
    expect(metrics.confusion_matrix).toEqual([
      [9, 1],
      [1, 9],
    ]);
    expect(gate).toBeNull();
  });

  it('reads proba given as a JSON object per row, the same as the single number; a missing label is an error', async () => {
    const asObject = rows(2).map((r) => ({ ...r, proba: { ham: 1 - r.proba, spam: r.proba } }));
    const dir = project(CONFIG, {
      'num.ndjson': ndjson(rows(2)),
      'obj.ndjson': ndjson(asObject),
      'half.ndjson': ndjson(asObject.map((r, i) => (i === 3 ? { ...r, proba: { spam: r.proba.spam } } : r))),
    });
    const metricsOf = async (file: string) =>
      JSON.parse((await cli(['evaluate', '--predictions', file, '--json'], { cwd: dir })).stdout).metrics;
    const [byNumber, byObject] = [await metricsOf('num.ndjson'), await metricsOf('obj.ndjson')];
    for (const m of ['roc_auc', 'log_loss', 'brier']) {
      expect(byObject[m], m).not.toBeNull();
      expect(byObject[m], m).toBeCloseTo(byNumber[m], 12);
    }
    const half = await cli(['evaluate', '--predictions', 'half.ndjson'], { cwd: dir });
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/half\.ndjson: row 4: "proba" has no probability for "ham"; give one for every label/);
  });

  it('blesses a better candidate and rejects a worse one with reasons, exit 1', async () => {
    const dir = project(CONFIG, { 'good.ndjson': ndjson(rows(2)), 'bad.ndjson': ndjson(rows(6)) });
    const ok = await cli(['evaluate', '--predictions', 'good.ndjson', '--champion', 'bad.ndjson', '--model', 'spam'], {
      cwd: dir,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('gate: blessed: 4 check(s) passed');
    const no = await cli(
      ['evaluate', '--predictions', 'bad.ndjson', '--champion', 'good.ndjson', '--model', 'spam', '--json'],
      { cwd: dir },
    );
    expect(no.code).toBe(1);
    const gate = JSON.parse(no.stdout).gate;
    expect(gate.blessed).toBe(false);
    expect(gate.summary).toBe(
      'rejected: f1_macro 0.7 vs champion 0.9: −0.2 (−22.2%) does not meet the required +0 (higher is better)',
    );
    expect(no.stderr).toContain('candidate rejected');
    const out = await cli(
      ['evaluate', '--predictions', 'bad.ndjson', '--champion', 'good.ndjson', '--model', 'spam', '--out', 'reports'],
      { cwd: dir },
    );
    expect(out.code).toBe(1);
    const md = readFileSync(join(dir, 'reports', 'gate.md'), 'utf8');
    expect(md).toContain('### Gate of spam: rejected');
    expect(md).toContain('| f1_macro | ❌ fail | 0.7 | 0.9 |');
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'gate.json'), 'utf8')).blessed).toBe(false);
    const first = await cli(['evaluate', '--predictions', 'good.ndjson', '--model', 'spam'], { cwd: dir });
    expect(first.stdout).toContain('f1_macro change vs champion skipped: there is no champion yet (first model)');
  });

  it('business rules over (input, prediction, truth) rows', async () => {
    const cfg = CONFIG.replace(
      '    gate:\n      - { metric: f1_macro, min: 0.6 }',
      '    business_rules:\n      - { name: vip-never-spam, when: { input.vip: true }, forbid: { prediction: spam } }\n    gate:\n      - { metric: f1_macro, min: 0.6 }',
    );
    const rows = [
      { label: 'ham', prediction: 'ham', input: { vip: true } },
      { label: 'spam', prediction: 'spam', input: { vip: true } },
      { label: 'spam', prediction: 'spam', input: { vip: false } },
      { label: 'ham', prediction: 'ham', input: { vip: false } },
    ];
    const dir = project(cfg, { 'r.ndjson': ndjson(rows) });
    const r = await cli(['evaluate', '--predictions', 'r.ndjson', '--model', 'spam', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).gate.summary).toContain(
      'business rule "vip-never-spam" (when input.vip = true, never prediction = "spam"): 1 of 2 rows violate it (50.00%)',
    );
  });

  it('regression metrics and a regression gate', async () => {
    const data = [1, 2, 3, 4, 10].map((y, i) => ({ label: y, prediction: y + (i % 2 ? 1 : -1) * 0.5 }));
    const dir = project(CONFIG, {
      'reg.csv': 'label,prediction\n' + data.map((d) => `${d.label},${d.prediction}`).join('\n') + '\n',
    });
    const r = await cli(['evaluate', '--predictions', 'reg.csv', '--model', 'price', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).metrics).toMatchObject({ task: 'regression', mae: 0.5, rmse: 0.5 });
  });

  it('bad rows are clear errors', async () => {
    const dir = project(CONFIG, {
      'x.ndjson': ndjson([{ label: 'a', prediction: 'b', proba: 'lots' }, { prediction: 'a' }]),
    });
    const r = await cli(['evaluate', '--predictions', 'x.ndjson'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('x.ndjson: row 2: "label" is required');
  });
});
